package langfuse

// IsClosureName is isClosureName for the tests of package langfuse_test.
var IsClosureName = isClosureName
