package token

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

var (
	secret = []byte("0123456789abcdef0123456789abcdef") // exactly MinSecretBytes
	other  = []byte("fedcba9876543210fedcba9876543210")
	now    = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	hour   = now.Add(time.Hour).Unix()
)

var sentinels = []error{ErrMissing, ErrMalformed, ErrSignature, ErrExpired, ErrInvalidSubject, ErrWeakSecret, ErrInvalidRooms}

// craft builds a token by hand, so that tests can send what Sign never
// would: any header, any claims (raw JSON), signed with HMAC-SHA256 under key
// whatever alg the header names.
func craft(t *testing.T, header map[string]any, claims string, key []byte) string {
	t.Helper()
	h, err := json.Marshal(header)
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.RawURLEncoding
	signing := enc.EncodeToString(h) + "." + enc.EncodeToString([]byte(claims))
	sig, err := jwt.SigningMethodHS256.Sign(signing, key)
	if err != nil {
		t.Fatal(err)
	}
	return signing + "." + enc.EncodeToString(sig)
}

func claimsJSON(t *testing.T, c map[string]any) string {
	t.Helper()
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func hs256() map[string]any { return map[string]any{"alg": "HS256", "typ": "JWT"} }

func TestVerify(t *testing.T) {
	signed := func(user string) func(t *testing.T) string {
		return func(t *testing.T) string {
			s, err := Sign(secret, user, time.Hour, now)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
	}
	withClaims := func(c map[string]any) func(t *testing.T) string {
		return func(t *testing.T) string { return craft(t, hs256(), claimsJSON(t, c), secret) }
	}
	tests := []struct {
		name     string
		token    func(t *testing.T) string
		secret   []byte
		at       time.Time
		wantUser string
		wantErr  error
	}{
		{name: "valid", token: signed("taro"), wantUser: "taro"},
		{name: "Japanese name", token: signed("太郎"), wantUser: "太郎"},
		{name: "64 characters", token: signed(strings.Repeat("あ", 64)), wantUser: strings.Repeat("あ", 64)},
		{name: "one second before exp", token: signed("taro"), at: now.Add(time.Hour - time.Second), wantUser: "taro"},
		{name: "crafted with the right secret", token: withClaims(map[string]any{"sub": "taro", "exp": hour}), wantUser: "taro"},

		{name: "empty", token: func(*testing.T) string { return "" }, wantErr: ErrMissing},
		{name: "one segment", token: func(*testing.T) string { return "abc" }, wantErr: ErrMalformed},
		{name: "header not base64", token: func(*testing.T) string { return "!!!.e30.c2ln" }, wantErr: ErrMalformed},
		{name: "claims not JSON", token: func(t *testing.T) string { return craft(t, hs256(), "not json", secret) }, wantErr: ErrMalformed},
		{name: "no exp", token: withClaims(map[string]any{"sub": "taro"}), wantErr: ErrMalformed},
		{name: "exp not a number", token: withClaims(map[string]any{"sub": "taro", "exp": "tomorrow"}), wantErr: ErrMalformed},
		{name: "sub not a string", token: withClaims(map[string]any{"sub": 42, "exp": hour}), wantErr: ErrMalformed},

		{name: "signed with another secret", token: signed("taro"), secret: other, wantErr: ErrSignature},
		{name: "claims changed after signing", token: func(t *testing.T) string {
			parts := strings.Split(signed("taro")(t), ".")
			parts[1] = base64.RawURLEncoding.EncodeToString([]byte(claimsJSON(t, map[string]any{"sub": "admin", "exp": hour})))
			return strings.Join(parts, ".")
		}, wantErr: ErrSignature},
		{name: "alg none", token: func(t *testing.T) string {
			s, err := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{"sub": "taro", "exp": hour}).
				SignedString(jwt.UnsafeAllowNoneSignatureType)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}, wantErr: ErrSignature},
		{name: "alg HS512 with the right secret", token: func(t *testing.T) string {
			s, err := jwt.NewWithClaims(jwt.SigningMethodHS512, jwt.MapClaims{"sub": "taro", "exp": hour}).SignedString(secret)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}, wantErr: ErrSignature},
		{name: "RS256 header over an HMAC signature", token: func(t *testing.T) string {
			return craft(t, map[string]any{"alg": "RS256", "typ": "JWT"}, claimsJSON(t, map[string]any{"sub": "taro", "exp": hour}), secret)
		}, wantErr: ErrSignature},
		{name: "unknown alg", token: func(t *testing.T) string {
			return craft(t, map[string]any{"alg": "XY99"}, claimsJSON(t, map[string]any{"sub": "taro", "exp": hour}), secret)
		}, wantErr: ErrSignature},
		{name: "no alg", token: func(t *testing.T) string {
			return craft(t, map[string]any{"typ": "JWT"}, claimsJSON(t, map[string]any{"sub": "taro", "exp": hour}), secret)
		}, wantErr: ErrSignature},

		{name: "expired", token: signed("taro"), at: now.Add(2 * time.Hour), wantErr: ErrExpired},
		{name: "at exp exactly", token: signed("taro"), at: now.Add(time.Hour), wantErr: ErrExpired},
		{name: "not valid yet", token: withClaims(map[string]any{"sub": "taro", "exp": hour, "nbf": now.Add(time.Minute).Unix()}), wantErr: ErrExpired},

		{name: "sub missing", token: withClaims(map[string]any{"exp": hour}), wantErr: ErrInvalidSubject},
		{name: "sub empty", token: withClaims(map[string]any{"sub": "", "exp": hour}), wantErr: ErrInvalidSubject},
		{name: "sub blank", token: withClaims(map[string]any{"sub": " \t ", "exp": hour}), wantErr: ErrInvalidSubject},
		{name: "sub 65 characters", token: withClaims(map[string]any{"sub": strings.Repeat("a", 65), "exp": hour}), wantErr: ErrInvalidSubject},
		{name: "sub with a newline", token: withClaims(map[string]any{"sub": "ta\nro", "exp": hour}), wantErr: ErrInvalidSubject},
		{name: "sub with NUL", token: withClaims(map[string]any{"sub": "ta\x00ro", "exp": hour}), wantErr: ErrInvalidSubject},
		{name: "sub invalid UTF-8", token: func(t *testing.T) string {
			return craft(t, hs256(), "{\"sub\":\"ta\xffro\",\"exp\":"+jsonInt(hour)+"}", secret)
		}, wantErr: ErrInvalidSubject},

		{name: "secret too short", token: signed("taro"), secret: secret[:31], wantErr: ErrWeakSecret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key, at := tt.secret, tt.at
			if key == nil {
				key = secret
			}
			if at.IsZero() {
				at = now
			}
			tok := tt.token(t)
			user, err := Verify(key, tok, at)
			if user != tt.wantUser {
				t.Errorf("user = %q, want %q", user, tt.wantUser)
			}
			checkSentinel(t, err, tt.wantErr)
			if err != nil && len(tok) > 0 && strings.Contains(err.Error(), tok) {
				t.Errorf("error %q repeats the token", err)
			}
		})
	}
}

func TestSign(t *testing.T) {
	tests := []struct {
		name    string
		secret  []byte
		user    string
		ttl     time.Duration
		wantErr error
	}{
		{"valid", secret, "taro", time.Hour, nil},
		{"long secret", []byte(strings.Repeat("k", 64)), "太郎", time.Minute, nil},
		{"secret too short", secret[:31], "taro", time.Hour, ErrWeakSecret},
		{"no secret", nil, "taro", time.Hour, ErrWeakSecret},
		{"empty user", secret, "", time.Hour, ErrInvalidSubject},
		{"user too long", secret, strings.Repeat("a", 65), time.Hour, ErrInvalidSubject},
		{"user with a tab", secret, "ta\tro", time.Hour, ErrInvalidSubject},
		{"user invalid UTF-8", secret, "ta\xffro", time.Hour, ErrInvalidSubject},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Sign(tt.secret, tt.user, tt.ttl, now)
			checkSentinel(t, err, tt.wantErr)
			if err != nil {
				return
			}
			var claims jwt.RegisteredClaims
			tok, _, err := jwt.NewParser().ParseUnverified(s, &claims)
			if err != nil {
				t.Fatal(err)
			}
			if tok.Header["alg"] != "HS256" {
				t.Errorf("alg = %v, want HS256", tok.Header["alg"])
			}
			if claims.Subject != tt.user || !claims.IssuedAt.Equal(now) || !claims.ExpiresAt.Equal(now.Add(tt.ttl)) {
				t.Errorf("claims = sub %q iat %v exp %v, want %q %v %v", claims.Subject, claims.IssuedAt, claims.ExpiresAt, tt.user, now, now.Add(tt.ttl))
			}
			if user, err := Verify(tt.secret, s, now); err != nil || user != tt.user {
				t.Errorf("Verify(Sign()) = %q, %v", user, err)
			}
		})
	}
}

func TestSignRejectsNonPositiveTTL(t *testing.T) {
	for _, ttl := range []time.Duration{0, -time.Second} {
		if _, err := Sign(secret, "taro", ttl, now); err == nil {
			t.Errorf("Sign with ttl %v: no error", ttl)
		}
	}
}

// checkSentinel fails unless err matches want and no other sentinel, so a
// caller switching on them never sees two answers.
func checkSentinel(t *testing.T, err, want error) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Fatalf("err = %v, want none", err)
		}
		return
	}
	if !errors.Is(err, want) {
		t.Fatalf("err = %v, want %v", err, want)
	}
	for _, s := range sentinels {
		if s != want && errors.Is(err, s) {
			t.Errorf("err = %v also matches %v", err, s)
		}
	}
}

func jsonInt(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
