package token_test

import (
	"errors"
	"fmt"
	"time"

	"wsapi/authorizer/token"
)

func Example() {
	secret := []byte("an example secret of at least 32 bytes")
	issued := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

	tok, err := token.Sign(secret, "taro", time.Hour, issued)
	if err != nil {
		fmt.Println(err)
		return
	}

	user, err := token.Verify(secret, tok, issued.Add(time.Minute))
	fmt.Println(user, err)

	_, err = token.Verify(secret, tok, issued.Add(2*time.Hour))
	fmt.Println(errors.Is(err, token.ErrExpired))
	// Output:
	// taro <nil>
	// true
}
