// Package capture turns any Go value into the text of a span attribute:
// the input, output, metadata and model parameters of a Langfuse
// observation.
//
// [String] returns a string as it is, an error as its message and anything
// else as JSON text, as the input and output attributes expect; [JSON]
// always returns JSON text, for attributes that must hold JSON:
//
//	type Message struct {
//		Role    string `json:"role"`
//		Content string `json:"content"`
//	}
//
//	o := capture.Options{MaxBytes: 64 << 10}
//	in := capture.String([]Message{{Role: "user", Content: "Hi"}}, o)
//	// in == `[{"role":"user","content":"Hi"}]`
//	params := capture.JSON(map[string]any{"temperature": 0.2}, o)
//	// params == `{"temperature":0.2}`
//
// Values are encoded as encoding/json encodes them, by
// github.com/goccy/go-json where that is safe: struct tags (omitempty,
// omitzero, string, "-"), json.Marshaler and encoding.TextMarshaler are
// honoured and map keys are sorted. Three kinds of value read better in a
// trace than in plain JSON: an error becomes its Error() message, a
// time.Time becomes RFC 3339 with nanoseconds (time.RFC3339Nano), and a
// []byte becomes its text if it is UTF-8 and standard base64 otherwise. A
// json.Marshaler or encoding.TextMarshaler takes precedence over the error
// message. HTML characters are not escaped.
//
// # Redaction
//
// Values that commonly carry credentials are redacted whatever Options
// say. An http.Request (or a pointer to one) becomes its method, URL,
// host, matched pattern and headers, never its body; its URL loses its
// user information. In an http.Header, the values of Authorization,
// Cookie, Set-Cookie, Proxy-Authorization and API-key-like headers (names
// holding "auth", "token", "secret", "api-key", "cookie" or ending in
// "key", among others) become [Redacted]. A url.URL becomes its text with
// the password replaced (url.URL.Redacted) and the values of query
// parameters such as token, access_token, api_key, key, secret, password,
// sig, signature and code replaced by [Redacted]; [RedactQuery] does the
// same for a raw query string.
//
// The values of struct fields, map keys and slog group members whose
// name says they hold a credential are written as "[REDACTED]", whatever
// their type. A name is compared normalised: lower-case, with '-', '_',
// '.' and spaces left out, so apiKey, api_key, API-Key and x-api-key are
// one name. The list:
//
//   - names holding password, passwd, passphrase, passcode, secret,
//     credential, cookie, authorization, bearer, apikey, privatekey or
//     privkey anywhere: client_secret, Set-Cookie, Proxy-Authorization,
//     aws_secret_access_key, x-api-key;
//   - auth, token, pwd and jwt as whole names;
//   - names ending in token (access_token, refreshToken, id_token,
//     session_token, github_token), except those of a model's vocabulary,
//     counts and cursors: eos_token, pad_token, max_token, next_token and
//     the like; and access_tokens, refresh_tokens and other plurals of
//     credentials, but not the usage counts tokens, max_tokens,
//     prompt_tokens or token_count;
//   - names ending in pwd, or in accesskey, signingkey, encryptionkey,
//     masterkey, subscriptionkey, clientkey, sessionkey or authkey (and
//     their plurals), but not a plain key or primary_key.
//
// A struct field is matched by its JSON name and by its Go name: APIKey
// string `json:"k"` is redacted. Its struct tag can say otherwise:
// `langfuse:"redact"` redacts a field whatever its name, and
// `langfuse:"keep"` keeps one the list would redact; any other value of
// the tag redacts, so that a misspelt tag shows as a redacted value rather
// than a secret kept. Options.RedactNames adds names and
// Options.KeepNames takes names off, tags excepted; Options.RedactsName
// tells whether a name is redacted, for values written without capture.
//
// A value that implements slog.LogValuer is captured as what its LogValue
// method returns, resolved, instead of as itself: a type that redacts
// itself for logs redacts itself here too, even if it has a MarshalJSON
// method. A group becomes a JSON object; a LogValue that panics or keeps
// returning LogValuers is replaced by a placeholder.
//
// # Guarantees
//
// String and JSON never panic and always return, unless a method of the
// value itself blocks: on cycles, on values JSON cannot hold, and on
// panics in the value's methods. Their result is valid UTF-8, at most
// Options.MaxBytes long, and for JSON valid JSON unless it had to be cut.
// Bytes that are not valid UTF-8 are replaced by U+FFFD, one for each
// byte.
//
// Whatever cannot be encoded is replaced by a placeholder, a JSON string
// that says what was there:
//
//	"<cycle *pkg.Node>"           a pointer, map or slice met again inside
//	                              itself, named by its type
//	"<max depth 32>"              objects and arrays nested deeper than
//	                              Options.MaxDepth, or a very long chain of
//	                              pointers or interfaces
//	"<chan int>"                  a channel, function or unsafe.Pointer,
//	"<func(string) error>"        named by its type
//	"<unsafe.Pointer>"
//	"NaN" "+Inf" "-Inf"           floats that JSON has no number for
//	"(1+2i)"                      a complex number, as strconv formats it
//	"<panic in MarshalJSON: msg>" a method that panicked; likewise for
//	                              MarshalText, Error, LogValue and String
//	                              (the last for map keys)
//	"<error in MarshalJSON: msg>" a method that returned an error or, for
//	                              MarshalJSON, invalid JSON; likewise for
//	                              MarshalText
//	"<mask failed>"               the whole value, when Options.Mask or
//	                              Options.TextMask panicked (MaskFailed;
//	                              bare in String)
//
// When the mask panics, nothing of the value is written: the mask may be
// all that keeps a secret out of the trace.
//
// Only pointers, maps and slices on the path from the root to a value
// count as a cycle; the same pointer reached twice side by side is shared
// data and is written twice.
//
// Map keys that encoding/json rejects are written as the key's String or
// Error text, else as fmt prints the key, and pointer keys as their type
// and address. A json.Number that is not a number is written as a string.
//
// # Size
//
// A value longer than Options.MaxBytes is cut on a rune boundary and ends
// with a marker that says how many bytes were left out, the marker
// included in the limit:
//
//	...<truncated 12345 bytes>
//
// Left out is measured against the full text, the one the same call
// returns with a MaxBytes large enough for all of it: what comes before
// the marker is the start of the full text, and the number is the length
// of the full text less the length of what was kept. A marker that says
// "more than" (below) gives a lower bound instead.
//
// What a capture costs follows the limit, not the value. Strings, byte
// slices, structs, slices, maps, method results and their nesting are
// encoded against the room left in the output, so fifty documents of a
// megabyte each under a 10 KB limit cost about what 10 KB of output does,
// in time and in memory. Once the output is full, the rest of the value
// is walked only to count it, up to an amount of work that grows with the
// limit (four bytes and a sixteenth of a value per byte of the limit, and
// at least 16 KiB and 512 values); a value larger than that ends with
// "...<truncated more than N bytes>", N being a lower bound. go-json
// encodes a value whole before it can be cut, so it is given only values
// estimated to fit in twice the room left, and neither its output nor the
// buffers it keeps for reuse grow past a small multiple of the limit;
// the rest is walked, which stops at the limit.
//
// Three things are bounded only in part:
//
//   - A map is read whole, to find its first keys in order, but only as
//     many entries as can be written are kept, so its length costs time,
//     not memory. A map with more entries than that ends with a "more
//     than" marker.
//   - A []byte larger than the output and the count together is written
//     as text or as base64 by whether that first part of it is UTF-8,
//     which the whole of it may not be.
//   - MarshalJSON, MarshalText, Error, String and LogValue return what
//     they return: a huge result cannot be bounded before the method
//     returns it. What is done with it after is bounded: only what fits
//     is copied, compacted and checked for UTF-8, and the rest is counted
//     within the budget, not copied. A MarshalJSON result is checked to
//     be JSON, and replaced by its placeholder if it is not, when it can
//     be read to its end within the budget; one longer than that is not
//     checked past what is kept, and its "more than" marker counts its
//     text, compacted.

package capture
