/* SPDX-License-Identifier: Apache-2.0 */
/* pool_methods: the method names of pooled-fund and Better Care Fund
 * events (PROTOCOL.md section 17.4), for the pool engine, which folds
 * them, and the rules, which say which of them every node receives. */
#ifndef CONCORD_POOL_METHODS_H
#define CONCORD_POOL_METHODS_H

#define POOL_METHOD_EXECUTE "concord.v1.Pool/Execute"
#define POOL_METHOD_PLEDGE "concord.v1.Pool/Pledge"
#define POOL_METHOD_OUTTURN "concord.v1.Pool/Outturn"
#define POOL_METHOD_STATEMENT "concord.v1.Pool/Statement"
#define POOL_METHOD_BCF_PLAN "concord.v1.Bcf/Plan"
#define POOL_METHOD_BCF_SIGN "concord.v1.Bcf/Sign"

#endif
