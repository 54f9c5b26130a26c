// Package membership keeps who is in which room, in the DynamoDB table
// serverless.yml declares as RoomsTable: one row per member, keyed by room
// (partition) and connectionId (sort), so that a room's members are read
// with Query page by page; the byConnection index lists a connection's
// rooms for $disconnect. Rows expire through expiresAt like the connections
// table's, so those a lost $disconnect leaves behind go too.
//
// How many rooms a connection is in is counted on its row of the
// connections table, which the registry owns (Connections), raised with a
// conditional update: the byConnection index is eventually consistent, so
// a client sending many joins at once could pass a limit counted there. It
// is a join's first write, so that a join the limit refuses writes nothing
// at all.
//
// How many members a room has is counted on the room's own row, under the
// sort key countKey, so that a join answers with one update instead of
// reading the room: reading it made the n-th join read n rows, and filling
// a room of 10,000 cost some 50 million row reads. "#" sorts before every
// connection id (API Gateway's are base64), so Members leaves the row out
// with its key condition. The row's updates touch no attribute of the
// KEYS_ONLY byConnection index, which it is written to only when it is
// created or expires.
package membership

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"wsapi/shared/dynamocalls"
	"wsapi/shared/registry"
	"wsapi/shared/rooms"
)

// IndexByConnection is the table's index from connection to rooms.
const IndexByConnection = "byConnection"

const (
	attrRoom         = "room"
	attrConnectionID = "connectionId"
	attrPrincipal    = "principal"
	attrExpiresAt    = "expiresAt"
	// attrMembers is on the room's count row.
	attrMembers = "members"
	// attrCounted marks a member's row as counted in attrMembers.
	attrCounted = "counted"
)

// countKey is the sort key of a room's count row.
const countKey = "#"

// ErrTooManyRooms means the connection is already in rooms.MaxPerConnection rooms.
var ErrTooManyRooms = errors.New("too many rooms")

// Member is one connection in one room.
type Member struct {
	Room         string
	ConnectionID string
	// Principal is who the authorizer said the connection is.
	Principal string
	// ConnectedAt is requestContext.connectedAt; the row expires counting from it.
	ConnectedAt time.Time
}

// DB is the part of the DynamoDB API the store uses.
type DB interface {
	GetItem(ctx context.Context, params *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, params *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, params *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(ctx context.Context, params *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	Query(ctx context.Context, params *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

// Connections counts each connection's rooms on its row of the connections
// table; *registry.Registry does.
type Connections interface {
	// CountRoom adds a room to the connection's count unless it has max
	// already or its row is gone: then it writes nothing and is false.
	CountRoom(ctx context.Context, connectionID string, max int) (bool, error)
	UncountRoom(ctx context.Context, connectionID string) error
}

// Store is the rooms table, with each connection's count of rooms kept by
// Connections.
type Store struct {
	db          DB
	table       string
	connections Connections
	now         func() time.Time
}

// New returns the store kept in table (ROOMS_TABLE), counting rooms
// through connections.
func New(db DB, table string, connections Connections) *Store {
	return &Store{db: db, table: table, connections: connections, now: time.Now}
}

// NewFromConfig returns the store through the DynamoDB client of cfg.
func NewFromConfig(cfg aws.Config, table string, connections Connections) *Store {
	return New(dynamocalls.Of(dynamodb.NewFromConfig(cfg)), table, connections)
}

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
func n(v int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(v, 10)}
}

func (st *Store) key(room, connectionID string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{attrRoom: s(room), attrConnectionID: s(connectionID)}
}

func conditionFailed(err error) bool {
	var cf *types.ConditionalCheckFailedException
	return errors.As(err, &cf)
}

// Join adds m to its room and returns how many connections the room then
// holds, m's included. Joining a room again is not an error and counts
// nothing twice. A connection already in rooms.MaxPerConnection rooms gets
// ErrTooManyRooms, and the join has written nothing.
//
// The connection's count of rooms goes first: its condition is what refuses
// a join, so a refused join leaves no row of the room behind, and the room
// is touched only once the connection has a place for it. Then the room
// counts m before m's row exists, and the row says it was counted: whoever
// removes a counted row takes one off, so a leave, $disconnect or 410
// racing the join can only come after its +1, and the count comes out the
// same in any order.
func (st *Store) Join(ctx context.Context, m Member) (members int, err error) {
	counted, err := st.connections.CountRoom(ctx, m.ConnectionID, rooms.MaxPerConnection)
	if err != nil {
		return 0, fmt.Errorf("membership: join %s to %q: count rooms: %w", m.ConnectionID, m.Room, err)
	}
	if !counted {
		return st.rejoin(ctx, m)
	}
	members, err = st.countMembers(ctx, m.Room, 1)
	if err != nil {
		undo, cancel := undoContext(ctx)
		defer cancel()
		return 0, fmt.Errorf("membership: join %s to %q: count: %w", m.ConnectionID, m.Room, errors.Join(err, st.connections.UncountRoom(undo, m.ConnectionID)))
	}
	_, err = st.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(st.table),
		Item: map[string]types.AttributeValue{
			attrRoom: s(m.Room), attrConnectionID: s(m.ConnectionID), attrPrincipal: s(m.Principal),
			attrExpiresAt: n(m.ConnectedAt.Add(registry.RowLifetime).Unix()), attrCounted: &types.AttributeValueMemberBOOL{Value: true},
		},
		ConditionExpression:      aws.String("attribute_not_exists(#c)"),
		ExpressionAttributeNames: map[string]string{"#c": attrConnectionID},
	})
	if err != nil {
		// Both counts go back: a row that is there already was counted
		// when it was written.
		undo, cancel := undoContext(ctx)
		defer cancel()
		again, uerr := st.countMembers(undo, m.Room, -1)
		uerr = errors.Join(uerr, st.connections.UncountRoom(undo, m.ConnectionID))
		if conditionFailed(err) && uerr == nil {
			// Already a member: the count as it was.
			return max(again, 1), nil
		}
		return 0, fmt.Errorf("membership: join %s to %q: %w", m.ConnectionID, m.Room, errors.Join(err, uerr))
	}
	// Racing removals may have taken theirs off first: m itself is in.
	return max(members, 1), nil
}

// rejoin answers a join the connection's count of rooms refused. At the
// limit, joining a room the connection is already in is still answered as
// once, from two reads; any other room is ErrTooManyRooms. So is every room
// for a connection whose row is gone: it has been closed, and nobody is
// left to tell. Of two joins of one room sent at once by a connection one
// room short of the limit, the one refused can look before the other's row
// is written, and is answered ErrTooManyRooms with the connection in.
func (st *Store) rejoin(ctx context.Context, m Member) (int, error) {
	in, err := st.IsMember(ctx, m.Room, m.ConnectionID)
	if err != nil {
		return 0, err
	}
	if !in {
		return 0, fmt.Errorf("membership: join %s to %q: %w", m.ConnectionID, m.Room, ErrTooManyRooms)
	}
	out, err := st.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(st.table), Key: st.key(m.Room, countKey), ConsistentRead: aws.Bool(true),
		ProjectionExpression: aws.String("#m"), ExpressionAttributeNames: map[string]string{"#m": attrMembers},
	})
	if err != nil {
		return 0, fmt.Errorf("membership: join %s to %q again: read the count: %w", m.ConnectionID, m.Room, err)
	}
	// A room from before rooms were counted has no count row.
	members := 0
	if v, ok := out.Item[attrMembers]; ok {
		if members, err = number(v); err != nil {
			return 0, fmt.Errorf("membership: the count of %q: %w", m.Room, err)
		}
	}
	return max(members, 1), nil
}

// undoContext is for taking back a join that failed half-way: it outlives
// the caller's cancellation, which may be what failed it, so that no row
// or count is left behind.
func undoContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
}

// Leave takes the connection out of room; left is false when it was not in
// it. Both counts are taken down, whatever either one answers: an error
// with left true means the connection is out, and a count may read one high.
func (st *Store) Leave(ctx context.Context, room, connectionID string) (left bool, err error) {
	left, err = st.forgetIn(ctx, room, connectionID)
	if !left {
		if err != nil {
			return false, fmt.Errorf("membership: %s leaves %q: %w", connectionID, room, err)
		}
		return false, nil
	}
	if err := errors.Join(err, st.connections.UncountRoom(ctx, connectionID)); err != nil {
		return true, fmt.Errorf("membership: %s leaves %q: uncount: %w", connectionID, room, err)
	}
	return true, nil
}

// countMembers adds delta to room's count of members and returns the new
// count. A join moves the row's expiry on to registry.RowLifetime from now, which
// outlives the rows of every member joined so far: theirs expire as long
// after their connectedAt. A count row that is gone, taken by TTL, is not
// made again by a -1, which would leave it negative and never expiring.
func (st *Store) countMembers(ctx context.Context, room string, delta int64) (int, error) {
	in := &dynamodb.UpdateItemInput{
		TableName:                 aws.String(st.table),
		Key:                       st.key(room, countKey),
		UpdateExpression:          aws.String("ADD #m :d"),
		ConditionExpression:       aws.String("attribute_exists(#m)"),
		ExpressionAttributeNames:  map[string]string{"#m": attrMembers},
		ExpressionAttributeValues: map[string]types.AttributeValue{":d": n(delta)},
		ReturnValues:              types.ReturnValueAllNew,
	}
	if delta > 0 {
		in.UpdateExpression = aws.String("ADD #m :d SET #e = :e")
		in.ConditionExpression = nil
		in.ExpressionAttributeNames["#e"] = attrExpiresAt
		in.ExpressionAttributeValues[":e"] = n(st.now().Add(registry.RowLifetime).Unix())
	}
	out, err := st.db.UpdateItem(ctx, in)
	if conditionFailed(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	members, err := number(out.Attributes[attrMembers])
	if err != nil {
		return 0, fmt.Errorf("the count of %q: %w", room, err)
	}
	return members, nil
}

// number reads a count.
func number(v types.AttributeValue) (int, error) {
	num, ok := v.(*types.AttributeValueMemberN)
	if !ok {
		return 0, fmt.Errorf("not a number: %T", v)
	}
	return strconv.Atoi(num.Value)
}

// forgetIn deletes the connection's row in room and, if the row was
// counted, takes it off the room's count; removed is false when there was
// no row. Only the caller whose delete removed the row counts it off, so
// two racing to forget one member (a $disconnect and a post's 410) count
// it once. A row from before rooms were counted takes nothing off.
func (st *Store) forgetIn(ctx context.Context, room, connectionID string) (removed bool, err error) {
	out, err := st.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: aws.String(st.table), Key: st.key(room, connectionID), ReturnValues: types.ReturnValueAllOld,
	})
	if err != nil {
		return false, err
	}
	if len(out.Attributes) == 0 {
		return false, nil
	}
	if counted, _ := out.Attributes[attrCounted].(*types.AttributeValueMemberBOOL); counted != nil && counted.Value {
		if _, err := st.countMembers(ctx, room, -1); err != nil {
			return true, fmt.Errorf("uncount: %w", err)
		}
	}
	return true, nil
}

// IsMember reports whether the connection is in room, read consistently:
// a join just answered is seen.
func (st *Store) IsMember(ctx context.Context, room, connectionID string) (bool, error) {
	out, err := st.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(st.table), Key: st.key(room, connectionID), ConsistentRead: aws.Bool(true),
		ProjectionExpression: aws.String("#c"), ExpressionAttributeNames: map[string]string{"#c": attrConnectionID},
	})
	if err != nil {
		return false, fmt.Errorf("membership: is %s in %q: %w", connectionID, room, err)
	}
	return len(out.Item) > 0, nil
}

// Members calls page with each page of room's member connection ids, in
// the order DynamoDB keeps them, until the last page or page's error. Each
// page is at most DynamoDB's 1 MB read, some ten thousand members. The
// room's count row sorts before them and is left out by the key condition.
func (st *Store) Members(ctx context.Context, room string, page func(ids []string) error) error {
	return st.query(ctx, &dynamodb.QueryInput{
		TableName:                 aws.String(st.table),
		KeyConditionExpression:    aws.String("#r = :r AND #c > :count"),
		ProjectionExpression:      aws.String("#c"),
		ConsistentRead:            aws.Bool(true),
		ExpressionAttributeNames:  map[string]string{"#r": attrRoom, "#c": attrConnectionID},
		ExpressionAttributeValues: map[string]types.AttributeValue{":r": s(room), ":count": s(countKey)},
	}, attrConnectionID, "members of "+strconv.Quote(room), page)
}

// RoomsOf returns the rooms the connection is in, as the byConnection
// index has them (eventually consistent: a join of the last moment may be
// missing, and its row then goes by TTL).
func (st *Store) RoomsOf(ctx context.Context, connectionID string) ([]string, error) {
	var out []string
	err := st.query(ctx, &dynamodb.QueryInput{
		TableName:                 aws.String(st.table),
		IndexName:                 aws.String(IndexByConnection),
		KeyConditionExpression:    aws.String("#c = :c"),
		ExpressionAttributeNames:  map[string]string{"#c": attrConnectionID},
		ExpressionAttributeValues: map[string]types.AttributeValue{":c": s(connectionID)},
	}, attrRoom, "rooms of "+connectionID, func(rooms []string) error { out = append(out, rooms...); return nil })
	return out, err
}

// Forget takes a closed or gone connection out of every room, and off each
// room's count. Its count of rooms goes with its connections row.
func (st *Store) Forget(ctx context.Context, connectionID string) error {
	names, err := st.RoomsOf(ctx, connectionID)
	if err != nil {
		return err
	}
	var errs []error
	for _, room := range names {
		if _, err := st.forgetIn(ctx, room, connectionID); err != nil {
			errs = append(errs, fmt.Errorf("membership: forget %s in %q: %w", connectionID, room, err))
		}
	}
	return errors.Join(errs...)
}

// query runs in page by page, handing attr of each item to page. A page
// may be empty and still not the last: only a missing LastEvaluatedKey ends it.
func (st *Store) query(ctx context.Context, in *dynamodb.QueryInput, attr, what string, page func([]string) error) error {
	for i := 1; ; i++ {
		out, err := st.db.Query(ctx, in)
		if err != nil {
			return fmt.Errorf("membership: %s: page %d: %w", what, i, err)
		}
		vals := make([]string, 0, len(out.Items))
		for _, item := range out.Items {
			v, ok := item[attr].(*types.AttributeValueMemberS)
			if !ok || v.Value == "" {
				return fmt.Errorf("membership: %s: page %d: a row without a %s string", what, i, attr)
			}
			vals = append(vals, v.Value)
		}
		if err := page(vals); err != nil {
			return err
		}
		if len(out.LastEvaluatedKey) == 0 {
			return nil
		}
		next := *in
		next.ExclusiveStartKey = out.LastEvaluatedKey
		in = &next
	}
}
