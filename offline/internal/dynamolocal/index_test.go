package dynamolocal

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Every item is in a global secondary index, whatever its key. dynalite
// 4.0.0 keyed an index entry by the index's key and six hex digits of a
// hash of the item's key, so two items under one index key whose hashes
// shared those digits kept one entry between them: a user with 1,000
// connections had one missing from the byUser index about one time in 35
// (a send then skipped it). The project patches it (patches/); these two
// connection ids share the digits.
func TestIndexKeepsItemsWhoseKeysHashAlike(t *testing.T) {
	s := startServer(t, "")
	c := newClient(s.Endpoint())
	ctx := t.Context()
	s1 := func(v string) *types.AttributeValueMemberS { return &types.AttributeValueMemberS{Value: v} }
	_, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String("connections"),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("connectionId"), AttributeType: types.ScalarAttributeTypeS}, {AttributeName: aws.String("userName"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("connectionId"), KeyType: types.KeyTypeHash}},
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{
			IndexName: aws.String("byUser"), KeySchema: []types.KeySchemaElement{{AttributeName: aws.String("userName"), KeyType: types.KeyTypeHash}},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeKeysOnly},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := waitActive(ctx, c, "connections"); err != nil {
		t.Fatal(err)
	}
	want := []string{"C000741=", "C002876="} // md5("Outliers"+id) both begin 01d5ab
	for _, id := range want {
		if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("connections"),
			Item: map[string]types.AttributeValue{"connectionId": s1(id), "userName": s1("hanako")}}); err != nil {
			t.Fatal(err)
		}
	}
	got := func() []string {
		out, err := c.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("connections"), IndexName: aws.String("byUser"),
			KeyConditionExpression:    aws.String("userName = :u"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":u": s1("hanako")}})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, item := range out.Items {
			ids = append(ids, item["connectionId"].(*types.AttributeValueMemberS).Value)
		}
		slices.Sort(ids)
		return ids
	}
	if ids := got(); !slices.Equal(ids, want) {
		t.Errorf("byUser lists %v, want %v", ids, want)
	}
	// Deleting one takes only its own entry out.
	if _, err := c.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("connections"),
		Key: map[string]types.AttributeValue{"connectionId": s1(want[0])}}); err != nil {
		t.Fatal(err)
	}
	if ids := got(); !slices.Equal(ids, want[1:]) {
		t.Errorf("after deleting %s, byUser lists %v, want %v", want[0], ids, want[1:])
	}
}
