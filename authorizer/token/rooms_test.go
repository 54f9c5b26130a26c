package token

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestRoomsClaim(t *testing.T) {
	exp := now.Add(time.Hour).Unix()
	tests := []struct {
		name   string
		claims string
		want   []string // nil: no claim
		err    error
	}{
		{"no claim: any room", fmt.Sprintf(`{"sub":"taro","exp":%d}`, exp), nil, nil},
		{"a list limits", fmt.Sprintf(`{"sub":"taro","exp":%d,"rooms":["lobby","a,b"]}`, exp), []string{"lobby", "a,b"}, nil},
		{"an empty list: no room", fmt.Sprintf(`{"sub":"taro","exp":%d,"rooms":[]}`, exp), []string{}, nil},
		{"not a list", fmt.Sprintf(`{"sub":"taro","exp":%d,"rooms":"lobby"}`, exp), nil, ErrMalformed},
		{"null", fmt.Sprintf(`{"sub":"taro","exp":%d,"rooms":null}`, exp), nil, ErrMalformed},
		{"a bad room name", fmt.Sprintf(`{"sub":"taro","exp":%d,"rooms":["lob\u0000by"]}`, exp), nil, ErrInvalidRooms},
		{"a look-alike room name", fmt.Sprintf(`{"sub":"taro","exp":%d,"rooms":["lobby","lobby\u200b"]}`, exp), nil, ErrInvalidRooms},
		{"too long for the authorizer context", fmt.Sprintf(`{"sub":"taro","exp":%d,"rooms":[%s]}`, exp, strings.Repeat(`"`+strings.Repeat("r", 60)+`",`, 80)+`"r"`), nil, ErrInvalidRooms},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := VerifyGrant(secret, craft(t, hs256(), tt.claims, secret), now)
			if tt.err != nil {
				checkSentinel(t, err, tt.err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (g.Rooms == nil) != (tt.want == nil) || fmt.Sprint(g.Rooms) != fmt.Sprint(tt.want) || g.User != "taro" {
				t.Errorf("grant = %+v, want taro with rooms %#v", g, tt.want)
			}
		})
	}
}

func TestSignGrant(t *testing.T) {
	for _, r := range [][]string{nil, {}, {"lobby", "部屋"}} {
		s, err := SignGrant(secret, Grant{User: "taro", Rooms: r}, time.Hour, now)
		if err != nil {
			t.Fatal(err)
		}
		g, err := VerifyGrant(secret, s, now)
		if err != nil || (g.Rooms == nil) != (r == nil) || fmt.Sprint(g.Rooms) != fmt.Sprint(r) {
			t.Errorf("rooms %#v came back as %#v, %v", r, g.Rooms, err)
		}
	}
	if _, err := SignGrant(secret, Grant{User: "taro", Rooms: []string{""}}, time.Hour, now); err == nil {
		t.Error("signed a token granting a room with no name")
	}
}
