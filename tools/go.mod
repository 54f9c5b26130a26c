module wsapi/tools

go 1.26
