// Package username holds the one rule for what may name a user, shared by
// everything that reads a name: a greeting's userName, a token's subject and
// the recipient of a message.
package username

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxRunes bounds a name, so that a name always fits a small frame and a
// DynamoDB key.
const MaxRunes = 64

// Why a name is refused; the messages complete "<field> …".
var (
	ErrEmpty       = errors.New("must not be empty")
	ErrTooLong     = fmt.Errorf("must be at most %d characters", MaxRunes)
	ErrInvalidUTF8 = errors.New("must be valid UTF-8")
	ErrControl     = errors.New("must not contain control characters")
)

// Check returns nil if name can name a user, else why not.
func Check(name string) error {
	// encoding/json turns invalid UTF-8 and lone surrogates into U+FFFD: a
	// name holding one was not valid text to begin with.
	if !utf8.ValidString(name) || strings.ContainsRune(name, utf8.RuneError) {
		return ErrInvalidUTF8
	}
	if strings.TrimSpace(name) == "" {
		return ErrEmpty
	}
	if n := utf8.RuneCountInString(name); n > MaxRunes {
		return fmt.Errorf("%w, got %d", ErrTooLong, n)
	}
	if strings.ContainsFunc(name, unicode.IsControl) {
		return ErrControl
	}
	return nil
}
