// Package dynamocalls holds the DynamoDB operations the shared tables make,
// as method values of a client rather than the *dynamodb.Client itself: a
// type that reaches an interface, directly or through a field, keeps every
// exported method in the binary once anything reachable can call methods by
// name through reflect (protobuf, under the X-Ray SDK, can), and DynamoDB's
// ~60 operations would add 0.3 MB to the zip of every function that uses a
// table.
package dynamocalls

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// Calls are the operations of one client.
type Calls struct {
	getItem    func(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	putItem    func(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	updateItem func(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	deleteItem func(context.Context, *dynamodb.DeleteItemInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	query      func(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

// Of holds c's operations.
func Of(c *dynamodb.Client) Calls {
	return Calls{getItem: c.GetItem, putItem: c.PutItem, updateItem: c.UpdateItem, deleteItem: c.DeleteItem, query: c.Query}
}

func (c Calls) GetItem(ctx context.Context, in *dynamodb.GetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	return c.getItem(ctx, in, o...)
}

func (c Calls) PutItem(ctx context.Context, in *dynamodb.PutItemInput, o ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	return c.putItem(ctx, in, o...)
}

func (c Calls) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, o ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	return c.updateItem(ctx, in, o...)
}

func (c Calls) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, o ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	return c.deleteItem(ctx, in, o...)
}

func (c Calls) Query(ctx context.Context, in *dynamodb.QueryInput, o ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	return c.query(ctx, in, o...)
}
