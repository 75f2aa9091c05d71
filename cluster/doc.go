// Package cluster lets several parley processes share hosted bots through
// Redis so that each bot is consumed by exactly one process at a time.
//
// A process takes a bot's lease (Leases.Acquire) for a time to live and
// keeps renewing it (Lease.Keep). Each acquisition increments the bot's
// fencing token, and the store the lease hands out (Lease.Store) checks that
// token atomically with every write: a process that was paused past its
// lease (a long GC pause, SIGSTOP, a partition) and resumes cannot overwrite
// the cursors, dedupe marks or state of the process that took over. Its
// writes fail with a *redis.FencedError, and its own lease reports itself
// lost as soon as the time to live has passed without a renewal, measured
// on the process's monotonic clock from before the renewal was sent, so it
// stops consuming no later than Redis lets the lease go.
//
// Redis keeps one bot's keys under one hash tag, {bot}: the lease, the
// fence counter and the data keys of a bot land in the same Redis Cluster
// slot, as the atomic scripts need.
package cluster
