package lambdaruntime

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"
)

// Header names of the Lambda Runtime API (version 2018-06-01).
const (
	headerRequestID   = "Lambda-Runtime-Aws-Request-Id"
	headerDeadline    = "Lambda-Runtime-Deadline-Ms"
	headerFunctionARN = "Lambda-Runtime-Invoked-Function-Arn"
	headerTraceID     = "Lambda-Runtime-Trace-Id"
	headerErrorType   = "Lambda-Runtime-Function-Error-Type"
	headerErrorBody   = "Lambda-Runtime-Function-Error-Body" // a trailer: base64 JSON error
)

// runtimeAPI serves one instance's process. Besides the Runtime API it takes
// the Extensions API's register call, which aws-lambda-go makes when a
// function asks for SIGTERM (lambda.WithEnableSIGTERM); the internal extension
// then waits on event/next for good.
func (i *instance) runtimeAPI() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", i.handleNext)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", i.handleResponse)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", i.handleError)
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", i.handleInitError)
	mux.HandleFunc("POST /2020-01-01/extension/register", i.handleExtensionRegister)
	mux.HandleFunc("GET /2020-01-01/extension/event/next", i.handleExtensionNext)
	return mux
}

// handleNext long-polls for the next event. The call itself ends the
// invocation before it (Lambda counts an invocation until the runtime is
// ready for another) and, the first time, the init phase.
func (i *instance) handleNext(w http.ResponseWriter, r *http.Request) {
	i.nextRequested()
	select {
	case inv := <-i.events:
		// START goes out before the runtime can see the event, so the
		// function's first line cannot come ahead of it.
		i.log.line(startLine(inv.id))
		h := w.Header()
		h.Set(headerRequestID, inv.id)
		h.Set(headerDeadline, strconv.FormatInt(inv.deadline.UnixMilli(), 10))
		h.Set(headerFunctionARN, inv.arn)
		if inv.trace != "" {
			h.Set(headerTraceID, inv.trace)
		}
		h.Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(inv.payload)
	case <-r.Context().Done():
	case <-i.exited:
	}
}

// nextRequested ends init or the invocation before; a process asking again
// while it is ready changes nothing.
func (i *instance) nextRequested() {
	i.mu.Lock()
	defer i.mu.Unlock()
	_ = i.next(time.Now())
}

// invocationFor returns the invocation the process holds if it has id.
func (i *instance) invocationFor(id string) *invocation {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.current == nil || i.current.id != id {
		return nil
	}
	return i.current
}

func (i *instance) handleResponse(w http.ResponseWriter, r *http.Request) {
	inv := i.invocationFor(r.PathValue("id"))
	if inv == nil {
		writeAPIError(w, http.StatusBadRequest, "InvalidRequestID", "Invalid request ID")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxResponseBytes+1))
	if err != nil {
		writeAPIError(w, http.StatusBadRequest, "InvalidRequest", "reading the response: "+err.Error())
		return
	}
	if len(body) > maxResponseBytes {
		n, _ := io.Copy(io.Discard, r.Body)
		inv.answer(nil, responseTooLargeError(len(body)+int(n)))
		writeAPIError(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge",
			"Exceeded maximum allowed payload size ("+strconv.Itoa(maxResponseBytes)+" bytes).")
		return
	}
	// A response whose reader failed half way arrives with the error in its
	// trailers (aws-lambda-go's errorCapturingReader).
	var fnErr *FunctionError
	if t := r.Trailer.Get(headerErrorType); t != "" {
		fnErr = decodeFunctionError(trailerBody(r.Trailer.Get(headerErrorBody)), t)
		body = nil
	}
	if !inv.answer(body, fnErr) {
		writeAPIError(w, http.StatusForbidden, "InvalidStateTransition", "the invocation already has a result")
		return
	}
	writeAccepted(w)
}

func (i *instance) handleError(w http.ResponseWriter, r *http.Request) {
	inv := i.invocationFor(r.PathValue("id"))
	if inv == nil {
		writeAPIError(w, http.StatusBadRequest, "InvalidRequestID", "Invalid request ID")
		return
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxResponseBytes))
	if !inv.answer(nil, decodeFunctionError(body, r.Header.Get(headerErrorType))) {
		writeAPIError(w, http.StatusForbidden, "InvalidStateTransition", "the invocation already has a result")
		return
	}
	writeAccepted(w)
}

// handleInitError fails the init phase; the invocation that was waiting for
// it gets the posted error.
func (i *instance) handleInitError(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxResponseBytes))
	fnErr := decodeFunctionError(body, r.Header.Get(headerErrorType))
	i.mu.Lock()
	err := i.failInit(fnErr)
	i.mu.Unlock()
	if err != nil {
		writeAPIError(w, http.StatusForbidden, "InvalidStateTransition", "init is already over")
		return
	}
	writeAccepted(w)
}

func (i *instance) handleExtensionRegister(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Lambda-Extension-Name") == "" {
		writeAPIError(w, http.StatusBadRequest, "InvalidRequest", "missing Lambda-Extension-Name")
		return
	}
	w.Header().Set("Lambda-Extension-Identifier", newRequestID())
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, `{"functionVersion":"$LATEST","handler":"bootstrap"}`)
}

// handleExtensionNext never delivers an event: the only extension a Go
// function registers subscribes to none. It returns when the process goes.
func (i *instance) handleExtensionNext(_ http.ResponseWriter, r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-i.exited:
	}
}

// decodeFunctionError reads Lambda's error document; a body that is not one
// still reaches the caller, as the message.
func decodeFunctionError(body []byte, headerType string) *FunctionError {
	var fe FunctionError
	if err := json.Unmarshal(body, &fe); err != nil {
		fe = FunctionError{Message: string(body)}
	}
	if fe.Type == "" {
		fe.Type = headerType
	}
	if fe.Type == "" {
		fe.Type = errTypeUnknown
	}
	return &fe
}

func trailerBody(s string) []byte {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return []byte(s)
	}
	return b
}

func writeAccepted(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, `{"status":"OK"}`)
}

func writeAPIError(w http.ResponseWriter, status int, errType, msg string) {
	body, _ := json.Marshal(map[string]string{"errorMessage": msg, "errorType": errType})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
