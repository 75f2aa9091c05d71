// Package redis is a store.Store kept in Redis, for bots whose state must
// outlive one process or be shared by several: dedupe marks, platform
// cursors and bot state read the same from every process that reaches the
// server.
//
// Every key is written under a prefix (WithPrefix), so many bots share one
// server without colliding. Each value is stored as a 16-byte header (an
// 8-byte big-endian unix-nano deadline, 0 for none, and an 8-byte write
// id) followed by the data. Expiry is judged by the store's clock, as in
// the other stores; Redis also expires the key by its own clock a ttl
// after the write, which only reclaims space. Add runs as a Lua script, so
// its check-and-set is atomic across processes, and it is idempotent: when
// the client retries an Add whose reply was lost, the retry recognises its
// own write and still reports true.
//
// A store may carry a fencing token (WithFence): every write then checks,
// in the same script, that the token is still the newest one issued for
// the fence key, and fails with a *FencedError otherwise. The cluster
// package hands out such tokens with its leases, so that a process that
// lost its lease without noticing cannot overwrite the new owner's state.
//
// A lost connection is an error the caller sees, never an absent key: Get
// and Add report the failure and leave the decision to retry to the
// caller.
package redis
