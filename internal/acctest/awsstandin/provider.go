package main

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// standinProvider is the provider "aws" with the schemas of aws_iam_role and the types of keptResources.
type standinProvider struct{}

func newProvider() provider.Provider { return standinProvider{} }

func (standinProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "aws"
}

// Schema accepts the provider block's region, so that a configuration written for hashicorp/aws keeps its block.
func (standinProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{Attributes: map[string]schema.Attribute{
		"region": schema.StringAttribute{Optional: true},
	}}
}

func (standinProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}

func (standinProvider) Resources(context.Context) []func() resource.Resource {
	return append(keptResources(), func() resource.Resource { return iamRole{} })
}

func (standinProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }
