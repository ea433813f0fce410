extension ReactorConfiguration {
    /// The commented starter `Reactor.toml` that `reactor init` writes: every section and key with its default value
    /// and a comment. Loading it gives exactly ``defaults``.
    public static var starterFile: String {
        var out = """
            # Reactor.toml: the configuration of a Reactor server.
            #
            # Every key is listed with its default value; delete what you do not change. Unknown keys and bad values
            # stop the server at boot with a message naming the key.
            #
            # Overrides, strongest last: this file, environment variables REACTOR_<SECTION>__<KEY> (for example
            # REACTOR_SERVER__BIND=0.0.0.0:8000 or REACTOR_AUTH__ENABLED=true), command-line flags.
            #
            # Every string value (choices and the bind address too) may be a reference, resolved once at boot:
            #   "env:NAME"       the environment variable NAME
            #   "vault:a/b"      the secret at a/b in the vault (not in [vault] or server.data_dir: they locate it)
            #   "literal:text"   exactly "text" (to write a value that starts with env:, vault: or literal:)

            """
        let defaults = ReactorConfiguration.defaults
        for section in sectionNames {
            out += "\n# \(ConfigKey.sectionComments[section] ?? "")\n[\(section)]\n"
            for key in ConfigKey.all where key.section == section {
                for line in key.comment.split(separator: "\n", omittingEmptySubsequences: false) {
                    out += line.isEmpty ? "#\n" : "# \(line)\n"
                }
                out += "\(key.name) = \(key.read(defaults).toml)\n"
                if key.path != ConfigKey.all.last(where: { $0.section == section })?.path { out += "\n" }
            }
            if section == "sync" { out += syncRemotesExample }
            if section == "models" { out += modelModulesExample }
            if section == "ai" { out += aiExample }
        }
        return out
    }

    /// The commented `[[sync.remotes]]` example at the end of `[sync]`.
    static let syncRemotesExample = """

        # Remotes added (or updated, keeping their cursors) at boot, one [[sync.remotes]] table each. Remotes
        # added over the API (reactor sync add) are kept too; a remote of the same name here wins for url,
        # token, filter and options. Only name and url are required.
        # [[sync.remotes]]
        # name = "office"                      # letters, digits, - _ .
        # url = "https://office.example.com"   # the other reactor's base URL
        # token = "vault:sync/office"          # its bearer token: "env:NAME", "vault:path" or literal
        # document_types = ["reactor/todo-list"]
        # document_ids = []
        # drive_id = "drive-1"                 # a drive and its children
        # scopes = []                          # empty: every scope
        # branch = "main"
        # since = "2025-01-31T00:00:00Z"       # or milliseconds since 1970
        # pull = "live"                        # "live", "manual" (reactor sync pull) or "off"
        # push = true
        # paused = false                       # absent: a remote that exists keeps its state

        """

    /// The commented `[[ai.providers]]` and `[[ai.aliases]]` example at the end of `[ai]` (docs/ai.md).
    static let aiExample = """

        # Upstreams, one [[ai.providers]] table each; kind is "openai" (any OpenAI-compatible API: OpenAI,
        # llama.cpp, vLLM, Ollama), "openrouter" or "azure" (Azure AI Foundry deployments). Keep keys out of
        # this file: api_key = "env:NAME" or "vault:path".
        # [[ai.providers]]
        # name = "openrouter"
        # kind = "openrouter"
        # api_key = "vault:ai/openrouter"
        # referer = "https://app.example.com"  # attribution headers (HTTP-Referer, X-Title)
        # title = "My app"
        #
        # Aliases callers name as "model"; targets are "provider:model", tried in order when one fails.
        # [[ai.aliases]]
        # name = "fast"
        # targets = ["openrouter:meta-llama/llama-3.1-8b-instruct", "openrouter:mistralai/mistral-7b-instruct"]
        # strategy = "first"                    # or "round_robin"
        # temperature = 0.2                     # defaults for requests that set none
        # max_tokens = 512

        """
}
