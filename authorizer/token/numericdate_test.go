package token

import (
	"strconv"
	"testing"
	"time"
)

// RFC 7519 §2 makes exp, nbf and iat NumericDates: JSON numbers. A string
// holding digits is another type, refused rather than read as the number it
// spells, so that every verifier of a token agrees on what it says.
func TestNumericDates(t *testing.T) {
	exp := strconv.FormatInt(hour, 10)
	past := strconv.FormatInt(now.Add(-time.Minute).Unix(), 10)
	tests := []struct {
		name    string
		claims  string
		wantErr error // nil: accepted
	}{
		{"exp a number", `{"sub":"taro","exp":` + exp + `}`, nil},
		{"exp with a fraction", `{"sub":"taro","exp":` + exp + `.5}`, nil},
		{"exp in exponent form", `{"sub":"taro","exp":1.7964e9}`, nil},
		{"nbf and iat numbers", `{"sub":"taro","exp":` + exp + `,"nbf":` + past + `,"iat":` + past + `}`, nil},

		{"exp a string of digits", `{"sub":"taro","exp":"` + exp + `"}`, ErrMalformed},
		{"exp a string in exponent form", `{"sub":"taro","exp":"1.7964e9"}`, ErrMalformed},
		{"exp null", `{"sub":"taro","exp":null}`, ErrMalformed},
		{"exp true", `{"sub":"taro","exp":true}`, ErrMalformed},
		{"exp an array", `{"sub":"taro","exp":[` + exp + `]}`, ErrMalformed},
		{"exp an object", `{"sub":"taro","exp":{"n":` + exp + `}}`, ErrMalformed},
		{"nbf a string of digits", `{"sub":"taro","exp":` + exp + `,"nbf":"` + past + `"}`, ErrMalformed},
		{"nbf null", `{"sub":"taro","exp":` + exp + `,"nbf":null}`, ErrMalformed},
		{"iat a string of digits", `{"sub":"taro","exp":` + exp + `,"iat":"` + past + `"}`, ErrMalformed},
		{"iat false", `{"sub":"taro","exp":` + exp + `,"iat":false}`, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			user, err := Verify(secret, craft(t, hs256(), tt.claims, secret), now)
			checkSentinel(t, err, tt.wantErr)
			if tt.wantErr == nil && user != "taro" {
				t.Errorf("user = %q, want taro", user)
			}
		})
	}
}
