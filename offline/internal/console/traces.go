package console

import "wsapi/offline/internal/xraydaemon"

// Traces prints each completed trace as a tree, tagged x-ray; not
// printed, it is nil, so that no trace is even rendered.
func Traces(out *Console, printed bool) func(*xraydaemon.Trace) {
	if !printed {
		return nil
	}
	return func(t *xraydaemon.Trace) { _ = xraydaemon.Render(out.Tagged("x-ray"), t) }
}
