package sqslocal

import (
	"fmt"
	"net/http"
)

// apiError is an SQS error as the JSON protocol carries it: the type in
// the body's __type (which the SDK matches on, after the '#'), the legacy
// query code in x-amzn-query-error, as SQS sends both.
type apiError struct {
	status    int
	typ       string // e.g. QueueDoesNotExist
	queryCode string // e.g. AWS.SimpleQueueService.NonExistentQueue
	message   string
}

func (e *apiError) Error() string { return e.typ + ": " + e.message }

func errorf(typ, queryCode, format string, args ...any) *apiError {
	if queryCode == "" {
		queryCode = typ
	}
	return &apiError{status: http.StatusBadRequest, typ: typ, queryCode: queryCode, message: fmt.Sprintf(format, args...)}
}

func invalidParameter(format string, args ...any) *apiError {
	return errorf("InvalidParameterValue", "", format, args...)
}

func noQueue(url string) *apiError {
	return errorf("QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue",
		"The specified queue does not exist: %s", url)
}

func writeError(w http.ResponseWriter, e *apiError) {
	w.Header().Set("x-amzn-query-error", e.queryCode+";Sender")
	writeJSON(w, e.status, map[string]string{"__type": "com.amazonaws.sqs#" + e.typ, "message": e.message})
}
