package probe

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// ErrNoSubject: the token is not a JWT naming a user.
var ErrNoSubject = errors.New("token names no user (no sub claim)")

// SubjectOf returns the user a token names, without checking its signature
// (the API does that): hello and send need the name, and a token given on the
// command line comes without it.
func SubjectOf(tok string) (string, error) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return "", fmt.Errorf("%w: not a JWT", ErrNoSubject)
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", fmt.Errorf("%w: payload: %w", ErrNoSubject, err)
	}
	var claims struct {
		Sub string `json:"sub"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil {
		return "", fmt.Errorf("%w: claims: %w", ErrNoSubject, err)
	}
	if claims.Sub == "" {
		return "", ErrNoSubject
	}
	return claims.Sub, nil
}
