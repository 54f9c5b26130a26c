// Package token issues and checks the connection tokens of this API: a JWT
// signed with HMAC-SHA256 whose subject (sub) is the user name and whose
// expiry (exp) is mandatory.
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
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"

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
	// ErrMalformed: not a JWT, or a JWT without the claims this API requires (exp).
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

// Sign returns a token naming user, valid from now for ttl.
func Sign(secret []byte, user string, ttl time.Duration, now time.Time) (string, error) {
	if err := checkSecret(secret); err != nil {
		return "", err
	}
	if err := checkUser(user); err != nil {
		return "", err
	}
	if ttl <= 0 {
		return "", fmt.Errorf("token lifetime must be positive, got %v", ttl)
	}
	claims := jwt.RegisteredClaims{
		Subject:   user,
		IssuedAt:  jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
	}
	signed, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(secret)
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	return signed, nil
}

// Verify checks tokenString against secret at time now and returns the user
// it names. The error matches exactly one of the sentinels above.
func Verify(secret []byte, tokenString string, now time.Time) (user string, err error) {
	if err := checkSecret(secret); err != nil {
		return "", err
	}
	if tokenString == "" {
		return "", ErrMissing
	}
	var claims jwt.RegisteredClaims
	parser := jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(func() time.Time { return now }),
	)
	_, err = parser.ParseWithClaims(tokenString, &claims, func(*jwt.Token) (any, error) { return secret, nil })
	if err != nil {
		return "", classify(err)
	}
	if err := checkUser(claims.Subject); err != nil {
		return "", err
	}
	return claims.Subject, nil
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
