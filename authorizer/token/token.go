// Package token issues and checks the connection tokens of this API: a JWT
// signed with HMAC-SHA256 whose subject (sub) is the user name and whose
// expiry (exp) is mandatory. The dates (exp, nbf, iat) are JSON numbers, as
// RFC 7519 types them.
//
// A client gets a token from [Sign] (the tools/token command) and connects
// with it in the query string, wss://…/prod?token=…; the authorizer checks it
// with [Verify] before API Gateway runs $connect. Verify accepts HS256 only,
// so a token claiming "none" or another algorithm fails like a forged one, and
// it tells the ways a token can fail apart with sentinel errors for
// errors.Is, so the authorizer can log why it said no without logging the
// token.
package token

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"wsapi/shared/rooms"
	"wsapi/shared/username"
)

// MinSecretBytes is the shortest secret Sign and Verify accept: HMAC-SHA256
// is only as strong as its key, and RFC 7518 §3.2 asks for a key at least
// as long as the hash output.
const MinSecretBytes = 32

// Why a token was refused.
var (
	// ErrMissing: no token at all.
	ErrMissing = errors.New("token missing")
	// ErrMalformed: not a JWT, a JWT without the claims this API requires
	// (exp), or a claim of the wrong type: exp, nbf and iat must be JSON
	// numbers, a string of digits is refused.
	ErrMalformed = errors.New("token malformed")
	// ErrSignature: the signature does not match the secret, or the token
	// names an algorithm other than HS256 (including "none").
	ErrSignature = errors.New("token signature invalid")
	// ErrExpired: past its exp (or before its nbf).
	ErrExpired = errors.New("token expired")
	// ErrInvalidSubject: sub is missing or not a valid user name.
	ErrInvalidSubject = errors.New("token subject invalid")
	// ErrWeakSecret: the secret is shorter than MinSecretBytes. This is a
	// fault of the configuration, not of the token.
	ErrWeakSecret = errors.New("token secret too short")
)

// Grant is what a token says of its holder.
type Grant struct {
	User string
	// Rooms, when not nil, are the only rooms the holder may join (the
	// rooms claim, a JSON array of names); nil: any room.
	Rooms []string
}

// ErrInvalidRooms: the rooms claim is not a list of room names, or too
// long to pass through API Gateway's authorizer context.
var ErrInvalidRooms = errors.New("token rooms claim invalid")

// Sign returns a token naming user, valid from now for ttl.
func Sign(secret []byte, user string, ttl time.Duration, now time.Time) (string, error) {
	return SignGrant(secret, Grant{User: user}, ttl, now)
}

// SignGrant returns a token carrying g, valid from now for ttl.
func SignGrant(secret []byte, g Grant, ttl time.Duration, now time.Time) (string, error) {
	if err := checkSecret(secret); err != nil {
		return "", err
	}
	if err := checkUser(g.User); err != nil {
		return "", err
	}
	if g.Rooms != nil {
		if _, err := rooms.Encode(g.Rooms); err != nil {
			return "", fmt.Errorf("%w: %w", ErrInvalidRooms, err)
		}
	}
	if ttl <= 0 {
		return "", fmt.Errorf("token lifetime must be positive, got %v", ttl)
	}
	c := claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   g.User,
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
		},
		Rooms: g.Rooms,
	}
	signed, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(secret)
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	return signed, nil
}

// Verify checks tokenString against secret at time now and returns the user
// it names. The error matches exactly one of the sentinels above.
func Verify(secret []byte, tokenString string, now time.Time) (user string, err error) {
	g, err := VerifyGrant(secret, tokenString, now)
	return g.User, err
}

// VerifyGrant checks tokenString as Verify does and returns all it grants.
func VerifyGrant(secret []byte, tokenString string, now time.Time) (Grant, error) {
	if err := checkSecret(secret); err != nil {
		return Grant{}, err
	}
	if tokenString == "" {
		return Grant{}, ErrMissing
	}
	var claims claims
	parser := jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(func() time.Time { return now }),
	)
	_, err := parser.ParseWithClaims(tokenString, &claims, func(*jwt.Token) (any, error) { return secret, nil })
	if err != nil {
		return Grant{}, classify(err)
	}
	if err := checkUser(claims.Subject); err != nil {
		return Grant{}, err
	}
	if claims.Rooms != nil {
		if _, err := rooms.Encode(claims.Rooms); err != nil {
			return Grant{}, fmt.Errorf("%w: %w", ErrInvalidRooms, err)
		}
	}
	return Grant{User: claims.Subject, Rooms: claims.Rooms}, nil
}

// claims are the registered claims, with the types RFC 7519 gives them,
// and the rooms the holder may join.
type claims struct {
	jwt.RegisteredClaims
	Rooms []string `json:"rooms,omitempty"`
}

// numericDates are the claims RFC 7519 §4.1 makes NumericDates.
var numericDates = []string{"exp", "nbf", "iat"}

// UnmarshalJSON refuses an exp, nbf or iat that is not a JSON number (RFC
// 7519 §2). jwt reads a NumericDate through json.Number, which also takes a
// string of digits such as "1796000000": a token some verifiers accept and
// others refuse is one whose meaning depends on who reads it.
func (c *claims) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	for _, name := range numericDates {
		v, ok := raw[name]
		if !ok {
			continue
		}
		if v = bytes.TrimSpace(v); len(v) == 0 || (v[0] != '-' && (v[0] < '0' || v[0] > '9')) {
			return fmt.Errorf("claim %s must be a number of seconds (RFC 7519 NumericDate), got %.20s", name, v)
		}
	}
	if err := json.Unmarshal(b, &c.RegisteredClaims); err != nil {
		return err
	}
	if r, ok := raw["rooms"]; ok {
		// Present, even empty, limits: an empty list allows no room.
		if err := json.Unmarshal(r, &c.Rooms); err != nil || c.Rooms == nil {
			return fmt.Errorf("claim rooms must be a list of room names, got %.40s", r)
		}
	}
	return nil
}

// MarshalJSON writes the registered claims and rooms when there are any
// (an empty list included).
func (c claims) MarshalJSON() ([]byte, error) {
	if c.Rooms == nil {
		return json.Marshal(c.RegisteredClaims)
	}
	return json.Marshal(struct {
		jwt.RegisteredClaims
		Rooms []string `json:"rooms"`
	}{c.RegisteredClaims, c.Rooms})
}

// classify maps jwt's errors onto ours, keeping jwt's as the detail.
func classify(err error) error {
	var sentinel error
	switch {
	case errors.Is(err, jwt.ErrTokenMalformed):
		sentinel = ErrMalformed
	// Unverifiable: an alg jwt does not know, or none at all.
	case errors.Is(err, jwt.ErrTokenSignatureInvalid), errors.Is(err, jwt.ErrTokenUnverifiable):
		sentinel = ErrSignature
	case errors.Is(err, jwt.ErrTokenExpired), errors.Is(err, jwt.ErrTokenNotValidYet):
		sentinel = ErrExpired
	default:
		// A missing exp (ErrTokenRequiredClaimMissing) lands here: a signed
		// token without one was never issued by Sign.
		sentinel = ErrMalformed
	}
	return fmt.Errorf("%w: %w", sentinel, err)
}

// checkUser applies the one rule for user names (shared/username), the
// same a greeting's userName meets, so that whoever connects can be greeted.
func checkUser(user string) error {
	if err := username.Check(user); err != nil {
		return fmt.Errorf("%w: user name %w", ErrInvalidSubject, err)
	}
	return nil
}

func checkSecret(secret []byte) error {
	if len(secret) < MinSecretBytes {
		return fmt.Errorf("%w: need at least %d bytes, got %d", ErrWeakSecret, MinSecretBytes, len(secret))
	}
	return nil
}
