package lambdaruntime

import (
	"errors"
	"fmt"
	"time"
)

// Errors returned by Invoke and Add. A function that fails is not one of
// these: its failure comes back as Result.Err, the way Lambda answers an
// invocation whose function errored with a 200 and an error payload.
var (
	ErrFunctionNotFound = errors.New("lambdaruntime: function not found")
	ErrClosed           = errors.New("lambdaruntime: runtime closed")
)

// FunctionError is what Lambda reports for a failed invocation: the error
// the function posted to invocation/{id}/error, or one the platform made up
// when the process timed out, crashed or answered too much. Its JSON form is
// the payload Lambda returns (errorMessage, errorType, stackTrace).
type FunctionError struct {
	Type       string `json:"errorType"`
	Message    string `json:"errorMessage"`
	StackTrace []any  `json:"stackTrace,omitempty"`
}

func (e *FunctionError) Error() string {
	return e.Type + ": " + e.Message
}

// ErrorMessage is the errorMessage the function reported, as API Gateway
// reads it (an authorizer's "Unauthorized" means 401).
func (e *FunctionError) ErrorMessage() string { return e.Message }

// Error types Lambda uses for failures the platform detects itself.
const (
	errTypeTimeout          = "Sandbox.Timedout"
	errTypeExit             = "Runtime.ExitError"
	errTypeInvalidEntry     = "Runtime.InvalidEntrypoint"
	errTypeUnknown          = "Runtime.Unknown"
	errTypeResponseTooLarge = "Function.ResponseSizeTooLarge"
)

// maxResponseBytes is Lambda's synchronous response limit: 6 MB plus the
// 100 bytes of envelope Lambda allows for.
const maxResponseBytes = 6*1024*1024 + 100

func timeoutError(requestID string, timeout time.Duration) *FunctionError {
	return &FunctionError{
		Type:    errTypeTimeout,
		Message: fmt.Sprintf("RequestId: %s Error: Task timed out after %.2f seconds", requestID, timeout.Seconds()),
	}
}

// exitError words a process exit the way Lambda's RAPID does; status is the
// Go rendering of the wait status ("exit status 2", "signal: killed").
func exitError(requestID, status string) *FunctionError {
	msg := "Runtime exited with error: " + status
	if status == "" || status == "exit status 0" {
		msg = "Runtime exited without providing a reason"
	}
	return &FunctionError{Type: errTypeExit, Message: fmt.Sprintf("RequestId: %s Error: %s", requestID, msg)}
}

func responseTooLargeError(size int) *FunctionError {
	return &FunctionError{
		Type: errTypeResponseTooLarge,
		Message: fmt.Sprintf("Response payload size (%d bytes) exceeded maximum allowed payload size (%d bytes).",
			size, maxResponseBytes),
	}
}
