module tern.test/gopeer

go 1.19
