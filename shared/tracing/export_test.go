package tracing

// MaxBatch is the most spans one datagram carries.
const MaxBatch = maxBatch
