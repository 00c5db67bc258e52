// grpc_echo: the gRPC C++ baseline of concord_bench's figure 3.
//
//   grpc_echo serve PORT              an Echo server on 127.0.0.1:PORT
//   grpc_echo call PORT CALLS BYTES   CALLS unary calls of BYTES each, one
//                                     at a time after 20 warm-up calls;
//                                     prints each call's microseconds
//
// Insecure credentials on loopback: the cheapest gRPC configuration, so the
// figure is a lower bound on what gRPC plus a database would cost.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "echo.grpc.pb.h"

namespace {

class EchoService final : public concordbench::Echo::Service {
    grpc::Status Echo(grpc::ServerContext *, const concordbench::EchoMessage *in,
                      concordbench::EchoMessage *out) override
    {
        out->set_payload(in->payload());
        return grpc::Status::OK;
    }
};

int serve(const std::string &port)
{
    EchoService service;
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:" + port, grpc::InsecureServerCredentials());
    builder.RegisterService(&service);
    std::unique_ptr<grpc::Server> server(builder.BuildAndStart());
    if (!server) {
        std::fprintf(stderr, "grpc_echo: cannot listen on 127.0.0.1:%s\n", port.c_str());
        return 1;
    }
    server->Wait();
    return 0;
}

int call(const std::string &port, long calls, long bytes)
{
    auto channel =
        grpc::CreateChannel("127.0.0.1:" + port, grpc::InsecureChannelCredentials());
    auto stub = concordbench::Echo::NewStub(channel);
    concordbench::EchoMessage in, out;
    in.set_payload(std::string(static_cast<size_t>(bytes), 'x'));
    std::vector<double> us;
    us.reserve(static_cast<size_t>(calls));
    for (long i = 0; i < calls + 20; i++) {
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
        if (i == 0) {
            ctx.set_wait_for_ready(true);
        }
        auto t0 = std::chrono::steady_clock::now();
        grpc::Status st = stub->Echo(&ctx, in, &out);
        auto t1 = std::chrono::steady_clock::now();
        if (!st.ok() || out.payload().size() != in.payload().size()) {
            std::fprintf(stderr, "grpc_echo: call %ld failed: %s\n", i,
                         st.error_message().c_str());
            return 1;
        }
        if (i >= 20) {
            us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
        }
    }
    for (double v : us) {
        std::printf("%.3f\n", v);
    }
    return 0;
}

}  // namespace

int main(int argc, char **argv)
{
    std::string cmd = argc > 1 ? argv[1] : "";
    if (cmd == "serve" && argc == 3) {
        return serve(argv[2]);
    }
    if (cmd == "call" && argc == 5) {
        long calls = std::strtol(argv[3], nullptr, 10), bytes = std::strtol(argv[4], nullptr, 10);
        if (calls > 0 && bytes >= 0 && bytes <= (1L << 20)) {
            return call(argv[2], calls, bytes);
        }
    }
    std::fprintf(stderr, "usage: grpc_echo serve PORT | grpc_echo call PORT CALLS BYTES\n");
    return 2;
}
