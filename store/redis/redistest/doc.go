// Package redistest starts a real redis-server for a test and puts a TCP
// proxy in front of it that a test can cut, so that code built on Redis is
// tested against the server it runs against in production, including what
// happens when the connection to it is lost.
//
// Start looks for redis-server on PATH (Debian's redis-server package). When
// it is missing the test is skipped with one line saying so, except under CI
// (CI set in the environment), where a missing server fails the test so a
// forgotten install step cannot pass unnoticed.
package redistest
