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
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
	"golang.org/x/text/unicode/norm"

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

// Why a room name is refused, besides the rules of a user name; the
// messages complete "room …".
var (
	ErrFormat = errors.New("must not contain format characters (zero-width or bidirectional controls)")
	ErrSpace  = errors.New("must not begin or end with a space")
)

// Name returns the room a client's name means: the name in Unicode NFC, so
// that one name typed two ways (é as one character, or as e and a combining
// accent) is one room, as it looks one. A name that may not name a room is
// refused with the reason.
func Name(raw string) (string, error) {
	if !utf8.ValidString(raw) {
		return "", username.ErrInvalidUTF8
	}
	// Checked once normal: NFC can make a name longer.
	name := norm.NFC.String(raw)
	if err := Check(name); err != nil {
		return "", err
	}
	return name, nil
}

// Check returns nil if name can name a room, else why not. A room name
// follows the rules of a user name, and refuses as well what makes two
// rooms look alike: characters that show nothing or reorder the text
// around them (Unicode format characters: zero-width spaces and joiners,
// bidirectional controls), line and paragraph separators, and spaces
// before or after it.
func Check(name string) error {
	if err := username.Check(name); err != nil {
		return err
	}
	if strings.ContainsFunc(name, func(r rune) bool { return unicode.In(r, unicode.Zl, unicode.Zp) }) {
		return username.ErrControl
	}
	if strings.ContainsFunc(name, func(r rune) bool { return unicode.Is(unicode.Cf, r) }) {
		return ErrFormat
	}
	first, _ := utf8.DecodeRuneInString(name)
	last, _ := utf8.DecodeLastRuneInString(name)
	if unicode.IsSpace(first) || unicode.IsSpace(last) {
		return ErrSpace
	}
	return nil
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

// Only allows the rooms named, and no other. A name is the room it means
// in NFC, as Name reads a client's.
func Only(names []string) Policy {
	p := Policy{only: make(map[string]bool, len(names))}
	for _, n := range names {
		p.only[norm.NFC.String(n)] = true
	}
	return p
}

// Allows reports whether the connection may join room, a name as Name
// returns it.
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
