// Command token prints a connection token for a user, signed with the secret
// the authorizer checks, for connecting by hand:
//
//	export TOKEN_SECRET=…   # the secret itself, at least 32 bytes
//	wscat -c "ws://localhost:3001?token=$(go run ./tools/token -user taro)"
//
// Deployed, the secret is the SSM parameter the authorizer reads:
//
//	export TOKEN_SECRET=$(aws ssm get-parameter --with-decryption \
//	  --name /go-websocket-api/prod/token-secret --query Parameter.Value --output text)
//
// -rooms lobby,ops limits the rooms the holder may join to those listed
// (a room whose name holds a comma cannot be given here); without it, any.
//
// The token goes to stdout alone, so that $(…) takes it whole; errors go to stderr.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"wsapi/authorizer/token"
)

func main() {
	err := run(os.Args[1:], os.Getenv, os.Stdout, os.Stderr, time.Now())
	switch {
	case err == nil:
	case errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	case errors.Is(err, errUsage):
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "token:", err)
		os.Exit(1)
	}
}

// errUsage marks a command line the flag package has already explained on stderr.
var errUsage = errors.New("usage")

func run(args []string, getenv func(string) string, stdout, stderr io.Writer, now time.Time) error {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	fs.SetOutput(stderr)
	user := fs.String("user", "", "the user the token names (required)")
	ttl := fs.Duration("ttl", time.Hour, "how long the token is valid")
	secretEnv := fs.String("secret-env", "TOKEN_SECRET", "the environment variable holding the signing secret")
	var rooms []string
	fs.Func("rooms", "the only rooms the holder may join, comma-separated (default: any room; empty: none)", func(v string) error {
		rooms = []string{}
		if v != "" {
			rooms = strings.Split(v, ",")
		}
		return nil
	})
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: token -user NAME [-ttl 1h] [-rooms a,b] [-secret-env TOKEN_SECRET]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() > 0 || *user == "" {
		fs.Usage()
		return errUsage
	}

	secret := getenv(*secretEnv)
	if secret == "" {
		return fmt.Errorf("%s is not set: export the secret the authorizer checks (at least %d bytes)", *secretEnv, token.MinSecretBytes)
	}
	signed, err := token.SignGrant([]byte(secret), token.Grant{User: *user, Rooms: rooms}, *ttl, now)
	if errors.Is(err, token.ErrWeakSecret) {
		return fmt.Errorf("%s: %w", *secretEnv, err)
	}
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, signed)
	return err
}
