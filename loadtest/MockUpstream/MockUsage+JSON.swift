/// The three ways the real API prints usage (anthropic-wire.md §2, §3.4).
extension MockUsage {
    /// `message_start.message.usage`: the full input side, the 5m/1h split and an output placeholder.
    func writeStart(to json: inout MockJSONWriter) {
        self.writeInputSide(to: &json)
        json.raw(",\"cache_creation\":")
        self.writeCacheCreation(to: &json)
        json.raw(",\"output_tokens\":1,\"service_tier\":\"standard\",\"inference_geo\":\"not_available\"}")
    }

    /// `message_delta.usage`: cumulative, repeats the input side, no `cache_creation` split.
    func writeDelta(to json: inout MockJSONWriter) {
        self.writeInputSide(to: &json)
        json.raw(",\"output_tokens\":")
        json.int(self.outputTokens)
        self.writeOutputDetails(to: &json)
        if let serverToolUse = self.serverToolUse {
            json.raw(",\"server_tool_use\":{\"web_search_requests\":")
            json.int(serverToolUse.webSearchRequests)
            json.raw("}")
        }
        json.raw("}")
    }

    /// The usage object of a non-streaming message body.
    func writeMessage(to json: inout MockJSONWriter) {
        self.writeInputSide(to: &json)
        json.raw(",\"cache_creation\":")
        self.writeCacheCreation(to: &json)
        json.raw(",\"output_tokens\":")
        json.int(self.outputTokens)
        self.writeOutputDetails(to: &json)
        if let serverToolUse = self.serverToolUse {
            json.raw(",\"server_tool_use\":{\"web_search_requests\":")
            json.int(serverToolUse.webSearchRequests)
            json.raw("}")
        } else {
            json.raw(",\"server_tool_use\":null")
        }
        json.raw(",\"service_tier\":\"standard\",\"inference_geo\":\"not_available\"}")
    }

    private func writeInputSide(to json: inout MockJSONWriter) {
        json.raw("{\"input_tokens\":")
        json.int(self.inputTokens)
        json.raw(",\"cache_creation_input_tokens\":")
        json.int(self.cacheCreationInputTokens)
        json.raw(",\"cache_read_input_tokens\":")
        json.int(self.cacheReadInputTokens)
    }

    private func writeCacheCreation(to json: inout MockJSONWriter) {
        json.raw("{\"ephemeral_5m_input_tokens\":")
        json.int(self.cacheCreation.ephemeral5mInputTokens)
        json.raw(",\"ephemeral_1h_input_tokens\":")
        json.int(self.cacheCreation.ephemeral1hInputTokens)
        json.raw("}")
    }

    private func writeOutputDetails(to json: inout MockJSONWriter) {
        guard self.thinkingTokens > 0 else { return }
        json.raw(",\"output_tokens_details\":{\"thinking_tokens\":")
        json.int(self.thinkingTokens)
        json.raw("}")
    }
}
