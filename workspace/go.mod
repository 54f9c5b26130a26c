module wsapi/workspace

go 1.26

require (
	golang.org/x/mod v0.37.0
	gopkg.in/yaml.v3 v3.0.1
)
