// Package message holds the rules of what a client sends, shared by every
// route that reads a body: the fields of the client's JSON object, a room's
// name, the size of a text one user sends others (send, broadcast), and its
// encoding into the frame a recipient gets.
package message

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"

	"wsapi/shared/connections"
	"wsapi/shared/reply"
	"wsapi/shared/rooms"
)

// MaxBytes bounds a message: what one client frame may carry.
const MaxBytes = 32 << 10

// Fields reads a client's message as a JSON object; example is shown to a
// client whose message is not one. A field given twice is refused:
// encoding/json keeps the last, another reader the first, so
// {"room":"lobby","room":"ops"} would mean whichever a reader picked.
func Fields(body, example string) (map[string]json.RawMessage, *reply.Error) {
	msg, repeated, ok := object(body)
	if !ok {
		return nil, reply.Errorf(reply.CodeInvalidJSON, "the message must be a JSON object, e.g. %s", example)
	}
	if repeated != "" {
		return nil, reply.Errorf(reply.CodeInvalidField, "%.64s must be given once", repeated)
	}
	return msg, nil
}

// object reads body as one JSON object, with what json.Unmarshal accepts,
// and returns its fields and the first name it gives twice, if any.
func object(body string) (fields map[string]json.RawMessage, repeated string, ok bool) {
	dec := json.NewDecoder(strings.NewReader(body))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, "", false
	}
	fields = map[string]json.RawMessage{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, "", false
		}
		name, _ := t.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, "", false
		}
		if _, seen := fields[name]; seen && repeated == "" {
			repeated = name
		}
		fields[name] = v
	}
	// The closing brace, then nothing but space.
	if t, err := dec.Token(); err != nil || t != json.Delim('}') {
		return nil, "", false
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, "", false
	}
	return fields, repeated, true
}

// StringField returns the string field name of msg, which must be there.
func StringField(msg map[string]json.RawMessage, name string) (string, *reply.Error) {
	raw, ok := msg[name]
	if !ok || string(raw) == "null" {
		return "", reply.Errorf(reply.CodeMissingField, "%s is required", name)
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", reply.Errorf(reply.CodeInvalidField, "%s must be a string", name)
	}
	return s, nil
}

// Room returns the room field of msg, checked against the room-name rules
// and in the form that names the room (rooms.Name).
func Room(msg map[string]json.RawMessage) (string, *reply.Error) {
	room, rejected := StringField(msg, "room")
	if rejected != nil {
		return "", rejected
	}
	name, err := rooms.Name(room)
	if err != nil {
		return "", reply.Errorf(reply.CodeInvalidField, "room %v", err)
	}
	return name, nil
}

// Text returns the message field of msg, checked.
func Text(msg map[string]json.RawMessage) (string, *reply.Error) {
	text, rejected := StringField(msg, "message")
	switch {
	case rejected != nil:
		return "", rejected
	case text == "":
		return "", reply.Errorf(reply.CodeInvalidField, "message must not be empty")
	case len(text) > MaxBytes:
		return "", reply.Errorf(reply.CodeInvalidField, "message must be at most %d bytes, got %d", MaxBytes, len(text))
	}
	return text, nil
}

// Frame encodes v as the frame recipients get: JSON without HTML escaping,
// so a message full of '<' or '&' keeps its size instead of growing sixfold
// into \u003c. A frame over what one post may carry is the sender's
// rejected message: JSON escapes control characters six bytes each, so a
// message within its own limit can still outgrow a frame.
func Frame(v any) ([]byte, *reply.Error, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, nil, err
	}
	frame := bytes.TrimSuffix(b.Bytes(), []byte("\n"))
	if len(frame) > connections.MaxPayloadBytes {
		return nil, reply.Errorf(reply.CodeInvalidField,
			"message must fit one frame once encoded: %d bytes, at most %d", len(frame), connections.MaxPayloadBytes), nil
	}
	return frame, nil, nil
}
