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
// Offline, -offline signs with the secret the offline gateway gives the
// authorizer, custom.offline.environment.TOKEN_SECRET of serverless.yml (what
// `make token` does):
//
//	wscat -c "ws://localhost:3001?token=$(go run ./tools/token -offline -user taro)"
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

	"gopkg.in/yaml.v3"

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
	offline := fs.String("offline", "", "sign with the offline secret of this serverless.yml's custom.offline.environment instead (the variable -secret-env names)")
	var rooms []string
	fs.Func("rooms", "the only rooms the holder may join, comma-separated (default: any room; empty: none)", func(v string) error {
		rooms = []string{}
		if v != "" {
			rooms = strings.Split(v, ",")
		}
		return nil
	})
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: token -user NAME [-ttl 1h] [-rooms a,b] [-secret-env TOKEN_SECRET | -offline serverless.yml]")
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
	if *offline != "" {
		var err error
		if secret, err = offlineSecret(*offline, *secretEnv); err != nil {
			return err
		}
	}
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

// offlineSecret reads the variable name of custom.offline.environment in the
// serverless.yml at config: the secret `serverless offline` hands the
// authorizer.
func offlineSecret(config, name string) (string, error) {
	data, err := os.ReadFile(config)
	if err != nil {
		return "", fmt.Errorf("-offline: %w", err)
	}
	var doc struct {
		Custom struct {
			Offline struct {
				Environment map[string]string `yaml:"environment"`
			} `yaml:"offline"`
		} `yaml:"custom"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return "", fmt.Errorf("-offline: %s: %w", config, err)
	}
	secret := doc.Custom.Offline.Environment[name]
	switch {
	case secret == "":
		return "", fmt.Errorf("-offline: %s has no custom.offline.environment.%s", config, name)
	case strings.Contains(secret, "${"):
		return "", fmt.Errorf("-offline: custom.offline.environment.%s in %s is a variable, which only the framework resolves: export %s instead", name, config, name)
	}
	return secret, nil
}
