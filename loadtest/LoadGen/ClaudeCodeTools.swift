/// The tools array of the built-in body: Claude Code's core tools, with shortened descriptions.
enum ClaudeCodeTools {
    static let all: [JSONValue] = [
        tool(
            "Bash",
            ClaudeCodeText.bashDescription,
            [
                ("command", "string", "The command to execute"),
                ("timeout", "number", "Optional timeout in milliseconds (max 600000)"),
                ("description", "string", "Clear, concise description of what this command does in 5-10 words"),
                ("run_in_background", "boolean", "Set to true to run this command in the background"),
            ],
            required: ["command"]
        ),
        tool(
            "Read",
            ClaudeCodeText.readDescription,
            [
                ("file_path", "string", "The absolute path to the file to read"),
                ("offset", "number", "The line number to start reading from. Only provide if the file is too large"),
                (
                    "limit", "number",
                    "The number of lines to read. Only provide if the file is too large to read at once."
                ),
            ],
            required: ["file_path"]
        ),
        tool(
            "Edit",
            ClaudeCodeText.editDescription,
            [
                ("file_path", "string", "The absolute path to the file to modify"),
                ("old_string", "string", "The text to replace"),
                ("new_string", "string", "The text to replace it with (must be different from old_string)"),
                ("replace_all", "boolean", "Replace all occurences of old_string (default false)"),
            ],
            required: ["file_path", "old_string", "new_string"]
        ),
        tool(
            "Write",
            ClaudeCodeText.writeDescription,
            [
                ("file_path", "string", "The absolute path to the file to write (must be absolute, not relative)"),
                ("content", "string", "The content to write to the file"),
            ],
            required: ["file_path", "content"]
        ),
        tool(
            "Glob",
            ClaudeCodeText.globDescription,
            [
                ("pattern", "string", "The glob pattern to match files against"),
                (
                    "path", "string",
                    "The directory to search in. If not specified, the current working directory will be used."
                ),
            ],
            required: ["pattern"]
        ),
        tool(
            "Grep",
            ClaudeCodeText.grepDescription,
            [
                ("pattern", "string", "The regular expression pattern to search for in file contents"),
                ("path", "string", "File or directory to search in (rg PATH). Defaults to current working directory."),
                ("glob", "string", "Glob pattern to filter files (e.g. \"*.js\", \"*.{ts,tsx}\") - maps to rg --glob"),
                ("output_mode", "string", "Output mode: \"content\", \"files_with_matches\" or \"count\""),
                ("-i", "boolean", "Case insensitive search (rg -i)"),
                ("-n", "boolean", "Show line numbers in output (rg -n). Requires output_mode: \"content\""),
            ],
            required: ["pattern"]
        ),
        tool(
            "TodoWrite",
            ClaudeCodeText.todoDescription,
            [
                ("todos", "array", "The updated todo list")
            ],
            required: ["todos"]
        ),
        tool(
            "WebFetch",
            ClaudeCodeText.webFetchDescription,
            [
                ("url", "string", "The URL to fetch content from"),
                ("prompt", "string", "The prompt to run on the fetched content"),
            ],
            required: ["url", "prompt"]
        ),
        tool(
            "Task",
            ClaudeCodeText.taskDescription,
            [
                ("description", "string", "A short (3-5 word) description of the task"),
                ("prompt", "string", "The task for the agent to perform"),
                ("subagent_type", "string", "The type of specialized agent to use for this task"),
            ],
            required: ["description", "prompt", "subagent_type"]
        ),
    ]

    static func tool(
        _ name: String,
        _ description: String,
        _ properties: [(String, String, String)],
        required: [String]
    ) -> JSONValue {
        let schemaProperties = properties.map { name, type, text -> (String, JSONValue) in
            (name, .object([("type", .string(type)), ("description", .string(text))]))
        }
        return .object([
            ("name", .string(name)),
            ("description", .string(description)),
            (
                "input_schema",
                .object([
                    ("type", "object"),
                    ("properties", .object(schemaProperties)),
                    ("required", .array(required.map { .string($0) })),
                    ("additionalProperties", false),
                    ("$schema", "http://json-schema.org/draft-07/schema#"),
                ])
            ),
        ])
    }
}
