// Package rooms holds the rules of rooms that no route may decide on its
// own: what may name a room, how many rooms one connection may be in, and
// who may join which room.
//
// Who may join: any signed-in user, unless the connection's token carries a
// rooms claim; then only the rooms it lists (an empty list: none). The
// authorizer hands the claim to every later event of the connection as the
// authorizer context key "rooms", whose value is the list encoded as JSON
// text (["lobby","ops"]): API Gateway's authorizer context holds strings,
// numbers and booleans only, and JSON keeps any room name intact, commas
// included.
package rooms

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-lambda-go/events"

	"wsapi/shared/username"
)

// MaxPerConnection is how many rooms one connection may be in at once: it
// bounds what $disconnect has to clean up, and what one client can make a
// broadcast cost.
const MaxPerConnection = 50

// ContextKey is the authorizer context key holding a token's rooms claim.
const ContextKey = "rooms"

// MaxClaimBytes bounds the encoded claim: API Gateway refuses an authorizer
// result over 8 KB, and the rest of it (policy, principal) needs room too.
const MaxClaimBytes = 4 << 10

// Check returns nil if name can name a room, else why not: a room name
// follows the rules of a user name.
func Check(name string) error {
	return username.Check(name)
}

// ErrClaim means a rooms claim that cannot be read: the connection may join
// no room until it reconnects with a good token.
var ErrClaim = errors.New("rooms claim unreadable")

// Policy decides which rooms a connection may join. The zero Policy allows
// none.
type Policy struct {
	any  bool
	only map[string]bool
}

// Any allows every room.
func Any() Policy { return Policy{any: true} }

// Only allows the rooms named, and no other.
func Only(names []string) Policy {
	p := Policy{only: make(map[string]bool, len(names))}
	for _, n := range names {
		p.only[n] = true
	}
	return p
}

// Allows reports whether the connection may join room.
func (p Policy) Allows(room string) bool {
	return p.any || p.only[room]
}

// PolicyOf returns the policy of the connection an event came from. A claim
// that is there but unreadable allows nothing, and is returned as an error
// for the log.
func PolicyOf(rc events.APIGatewayWebsocketProxyRequestContext) (Policy, error) {
	m, _ := rc.Authorizer.(map[string]any)
	raw, ok := m[ContextKey]
	if !ok {
		return Any(), nil
	}
	s, ok := raw.(string)
	if !ok {
		return Policy{}, fmt.Errorf("%w: %T, want a string", ErrClaim, raw)
	}
	names, err := Decode(s)
	if err != nil {
		return Policy{}, err
	}
	return Only(names), nil
}

// Encode returns names as the authorizer context value. Every name must be
// a valid room name, and the whole at most MaxClaimBytes.
func Encode(names []string) (string, error) {
	for _, n := range names {
		if err := Check(n); err != nil {
			return "", fmt.Errorf("room %q %w", n, err)
		}
	}
	if names == nil {
		names = []string{}
	}
	b, err := json.Marshal(names)
	if err != nil {
		return "", err
	}
	if len(b) > MaxClaimBytes {
		return "", fmt.Errorf("rooms claim is %d bytes encoded, at most %d", len(b), MaxClaimBytes)
	}
	return string(b), nil
}

// Decode reads an authorizer context value written by Encode.
func Decode(s string) ([]string, error) {
	var names []string
	if err := json.Unmarshal([]byte(s), &names); err != nil || names == nil {
		return nil, fmt.Errorf("%w: want a JSON array of names, got %.40q", ErrClaim, s)
	}
	return names, nil
}
