// Package xraydaemon stands in for the AWS X-Ray daemon on a developer's
// machine. Functions send what they trace as UDP datagrams to
// AWS_XRAY_DAEMON_ADDRESS: with the X-Ray SDK, subsegment documents; with
// OpenTelemetry and AWS's X-Ray UDP exporter, OTLP spans (T1S, or T1U for a
// trace Lambda did not sample, which is counted and dropped). Spans become
// segments as X-Ray makes them, so both print the same tree. In Lambda
// either hangs under a function segment that Lambda itself records. The
// gateway plays Lambda's part: a Sampler makes Lambda's tracing decision
// (the first invocation of a function each second and 5% of the rest), each
// invocation gets a trace header made by NewTraceHeader, and a sampled one
// is Recorded with its function segment once it ends. The daemon collects
// the datagrams of each trace, waits a short settle window after the
// function segment for late datagrams (UDP gives no end-of-trace signal, and
// may lose datagrams), then hands the assembled tree to Config.OnComplete,
// which the console renders (console.RenderTrace).
//
// Nothing here blocks the caller of Record: completion and delivery run on
// the daemon's own goroutine. Memory is bounded: a trace whose function
// segment is never recorded is dropped after Config.MaxAge, at most
// Config.MaxTraces traces are held (the oldest is dropped to make room), and
// a trace keeps at most 1,000 segments. Malformed datagrams are counted in
// Stats, and the first one is reported to Config.OnMalformed.
package xraydaemon
