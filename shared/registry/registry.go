// Package registry keeps the server-side list of open connections in the
// DynamoDB table serverless.yml declares as ConnectionsTable: $connect adds a
// row, $disconnect removes it, and a route that delivers to a user finds that
// user's connections through the byUser index. API Gateway does not promise
// to run $disconnect, so every row also carries an expiry (expiresAt) that
// DynamoDB's TTL acts on; a row can therefore outlive its connection for a
// while, and a sender must treat a 410 from @connections as "forget this row".
package registry

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"wsapi/shared/dynamocalls"
)

// IndexByUser is the table's index from user to connections.
const IndexByUser = "byUser"

// The item's attribute names, as serverless.yml and the TTL setting name them.
const (
	attrConnectionID = "connectionId"
	attrUserName     = "userName"
	attrSourceIP     = "sourceIp"
	attrConnectedAt  = "connectedAt"
	attrExpiresAt    = "expiresAt"
	// attrRoomCount is how many rooms the connection is in (CountRoom).
	attrRoomCount = "roomCount"
)

// RowLifetime is API Gateway's maximum connection duration (2 hours) plus a
// margin for clock skew between API Gateway and the function: no live
// connection outlives its row, and a row a lost $disconnect leaves behind
// becomes eligible for TTL deletion soon after its connection must have
// ended. A connection's rows in other tables expire alike.
const RowLifetime = 2*time.Hour + 10*time.Minute

// maxKeyBytes is DynamoDB's limit on a partition key value; connectionId is
// the table's and userName the index's.
const maxKeyBytes = 2048

// timeLayout is RFC 3339 with milliseconds, the precision API Gateway gives
// connectedAt, always in UTC so that rows sort and compare as text.
const timeLayout = "2006-01-02T15:04:05.000Z07:00"

// errInvalid marks an input refused before any request is sent.
var errInvalid = errors.New("invalid input")

// Entry is one open connection.
type Entry struct {
	ConnectionID string
	UserName     string
	SourceIP     string // optional
	// ConnectedAt is requestContext.connectedAt, fixed for the connection
	// however often Add is retried; the row's expiry counts from it.
	ConnectedAt time.Time
}

// DB is the part of the DynamoDB API the registry uses (*dynamodb.Client satisfies it).
type DB interface {
	PutItem(ctx context.Context, params *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, params *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(ctx context.Context, params *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	Query(ctx context.Context, params *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

var _ DB = (*dynamodb.Client)(nil)

// Registry is the connections table. It holds no state of its own, so one
// Registry can serve concurrent calls for the life of the container.
type Registry struct {
	db    DB
	table string
}

// New returns the registry kept in table (the CONNECTIONS_TABLE environment variable).
func New(db DB, table string) *Registry {
	return &Registry{db: db, table: table}
}

// NewFromConfig returns the registry kept in table, through the DynamoDB
// client of cfg.
func NewFromConfig(cfg aws.Config, table string) *Registry {
	return New(dynamocalls.Of(dynamodb.NewFromConfig(cfg)), table)
}

// Add records e. Its row expires at ConnectedAt plus the longest a connection
// can live and a margin. Adding a connection again overwrites its row, so a
// retried Add is harmless.
func (r *Registry) Add(ctx context.Context, e Entry) error {
	err := r.checkTable()
	if err == nil {
		err = checkKey("connection id", e.ConnectionID)
	}
	if err == nil {
		err = checkKey("user name", e.UserName)
	}
	if err == nil && e.ConnectedAt.IsZero() {
		err = fmt.Errorf("%w: connectedAt is not set", errInvalid)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", op("add", e.ConnectionID), err)
	}

	item := map[string]types.AttributeValue{
		attrConnectionID: &types.AttributeValueMemberS{Value: e.ConnectionID},
		attrUserName:     &types.AttributeValueMemberS{Value: e.UserName},
		attrConnectedAt:  &types.AttributeValueMemberS{Value: e.ConnectedAt.UTC().Format(timeLayout)},
		attrExpiresAt:    &types.AttributeValueMemberN{Value: strconv.FormatInt(e.ConnectedAt.Add(RowLifetime).Unix(), 10)},
	}
	// An empty value says nothing, and dynalite, which the end-to-end tests
	// run against, has long rejected empty strings even outside keys.
	if e.SourceIP != "" {
		item[attrSourceIP] = &types.AttributeValueMemberS{Value: e.SourceIP}
	}
	_, err = r.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(r.table), Item: item})
	if err != nil {
		return fmt.Errorf("%s: %w", op("add", e.ConnectionID), err)
	}
	return nil
}

// Remove forgets a connection. Removing one the registry does not hold is
// not an error: $disconnect can race the cleanup of a sender that got a 410,
// and DynamoDB's DeleteItem without a condition succeeds either way.
func (r *Registry) Remove(ctx context.Context, connectionID string) error {
	err := r.checkTable()
	if err == nil {
		err = checkKey("connection id", connectionID)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", op("remove", connectionID), err)
	}
	_, err = r.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: aws.String(r.table),
		Key:       map[string]types.AttributeValue{attrConnectionID: &types.AttributeValueMemberS{Value: connectionID}},
	})
	if err != nil {
		return fmt.Errorf("%s: %w", op("remove", connectionID), err)
	}
	return nil
}

// ConnectionsOf returns the ids of every open connection of userName, in no
// particular order; none is an empty result, not an error. If a page fails it
// returns only the error: a caller delivering to "every connection" should
// not mistake part of the list for all of it.
//
// The byUser index is a global secondary index, and those are read
// eventually consistently only: a connection that has just been added may be
// missing for a moment, and one just removed may still be listed. Rows past
// their expiry are listed too until TTL deletes them (typically within a
// couple of days; the index holds keys only, so they cannot be filtered out
// here). A sender finds both kinds out by the 410 @connections answers.
func (r *Registry) ConnectionsOf(ctx context.Context, userName string) ([]string, error) {
	err := r.checkTable()
	if err == nil {
		err = checkKey("user name", userName)
	}
	if err != nil {
		return nil, fmt.Errorf("registry: connections of %q: %w", userName, err)
	}

	base := dynamodb.QueryInput{
		TableName:                aws.String(r.table),
		IndexName:                aws.String(IndexByUser),
		KeyConditionExpression:   aws.String("#u = :u"),
		ProjectionExpression:     aws.String("#c"),
		ExpressionAttributeNames: map[string]string{"#u": attrUserName, "#c": attrConnectionID},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":u": &types.AttributeValueMemberS{Value: userName},
		},
	}
	var ids []string
	var start map[string]types.AttributeValue
	for page := 1; ; page++ {
		in := base
		in.ExclusiveStartKey = start
		out, err := r.db.Query(ctx, &in)
		if err != nil {
			return nil, fmt.Errorf("registry: connections of %q: page %d: %w", userName, page, err)
		}
		for _, item := range out.Items {
			id, ok := item[attrConnectionID].(*types.AttributeValueMemberS)
			if !ok || id.Value == "" {
				return nil, fmt.Errorf("registry: connections of %q: page %d: a row without a connectionId string", userName, page)
			}
			ids = append(ids, id.Value)
		}
		// A page may be empty and still not the last: only the missing
		// LastEvaluatedKey ends the query.
		if len(out.LastEvaluatedKey) == 0 {
			return ids, nil
		}
		start = out.LastEvaluatedKey
	}
}

// CountRoom adds one room to the connection's count of rooms on its row,
// unless that makes more than max or the row is gone (the connection
// closed): then it writes nothing and returns false. The condition, not a
// read, is what refuses: two joins sent at once cannot both pass a limit.
func (r *Registry) CountRoom(ctx context.Context, connectionID string, max int) (bool, error) {
	_, err := r.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(r.table),
		Key:                      map[string]types.AttributeValue{attrConnectionID: &types.AttributeValueMemberS{Value: connectionID}},
		UpdateExpression:         aws.String("SET #n = if_not_exists(#n, :zero) + :one"),
		ConditionExpression:      aws.String("attribute_exists(#c) AND (attribute_not_exists(#n) OR #n < :max)"),
		ExpressionAttributeNames: map[string]string{"#n": attrRoomCount, "#c": attrConnectionID},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":zero": number(0), ":one": number(1), ":max": number(int64(max)),
		},
	})
	if conditionFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("%s: %w", op("count a room of", connectionID), err)
	}
	return true, nil
}

// UncountRoom takes one room off the connection's count of rooms; a count
// at zero, or a row gone, stays as it is.
func (r *Registry) UncountRoom(ctx context.Context, connectionID string) error {
	_, err := r.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(r.table),
		Key:                       map[string]types.AttributeValue{attrConnectionID: &types.AttributeValueMemberS{Value: connectionID}},
		UpdateExpression:          aws.String("SET #n = #n - :one"),
		ConditionExpression:       aws.String("#n > :zero"),
		ExpressionAttributeNames:  map[string]string{"#n": attrRoomCount},
		ExpressionAttributeValues: map[string]types.AttributeValue{":zero": number(0), ":one": number(1)},
	})
	if err != nil && !conditionFailed(err) {
		return fmt.Errorf("%s: %w", op("uncount a room of", connectionID), err)
	}
	return nil
}

func number(v int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(v, 10)}
}

func conditionFailed(err error) bool {
	var cf *types.ConditionalCheckFailedException
	return errors.As(err, &cf)
}

func (r *Registry) checkTable() error {
	if r.table == "" {
		return fmt.Errorf("%w: no table name (is CONNECTIONS_TABLE set?)", errInvalid)
	}
	return nil
}

// checkKey refuses what DynamoDB would refuse as a key value, and invalid
// UTF-8, which the SDK's JSON encoding would silently turn into a different
// name.
func checkKey(what, v string) error {
	switch {
	case v == "":
		return fmt.Errorf("%w: %s is empty", errInvalid, what)
	case len(v) > maxKeyBytes:
		return fmt.Errorf("%w: %s is %d bytes, over the %d of a DynamoDB key", errInvalid, what, len(v), maxKeyBytes)
	case !utf8.ValidString(v):
		return fmt.Errorf("%w: %s is not valid UTF-8", errInvalid, what)
	}
	return nil
}

// op names a call on a connection in an error, leaving out an empty id.
func op(verb, connectionID string) string {
	if connectionID == "" {
		return "registry: " + verb
	}
	return "registry: " + verb + " " + connectionID
}
