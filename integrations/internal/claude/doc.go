// Package claude reads the answers of the Anthropic Messages API: a whole
// message and the events of a streamed one. Two integrations meet this
// wire: langfuseanthropic, and langfusebedrock for InvokeModel of a Claude
// model, whose bodies and stream chunks are the Messages API's own JSON.
// Both record a Claude answer through this one reader, so that it reads
// the same whichever way it came.
package claude
