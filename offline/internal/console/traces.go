package console

import (
	"fmt"

	"wsapi/offline/internal/xraydaemon/xraytrace"
)

// Traces prints each completed trace as a tree, tagged x-ray; not
// printed, it is nil, so that no trace is even rendered.
func Traces(out *Console, printed bool) func(*xraytrace.Trace) {
	if !printed {
		return nil
	}
	return func(t *xraytrace.Trace) { _ = RenderTrace(out.Tagged("x-ray"), t) }
}

// MalformedDatagram warns of the first datagram the X-Ray daemon could not
// read, quiet or not: a function's traces are missing. The daemon counts
// the rest without a word.
func MalformedDatagram(out *Console) func(error) {
	return func(err error) {
		out.Warn(fmt.Sprintf("X-Ray daemon: %v; later datagrams it cannot read are not shown", err))
	}
}
