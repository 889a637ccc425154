/**
 * The characters the API refuses in any text it is sent (functions/KpNet.Functions/Http/FreeText.cs): control
 * characters, among them tab and line breaks, the Unicode line and paragraph separators, and the bidirectional
 * formatting characters that would make a name or an address display in another order than it is stored.
 */
export const refusedCharacters = /[\p{Cc}\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;
