import Hummingbird

/// The real API's header checks for `/v1/*`: a credential, then `anthropic-version`.
enum MockAuth {
    static let knownVersions: Set<String> = ["2023-06-01", "2023-01-01", "2026-10-21"]

    /// - Throws: ``MockError`` 401 `authentication_error` when no credential is present or any
    ///   credential header (`x-api-key`, `Authorization: Bearer`) differs from `apiKey`; 400 when
    ///   `anthropic-version` is missing or unknown.
    static func check(_ headers: HTTPFields, apiKey: String) throws(MockError) {
        let key = headers[MockHeaderName.apiKey]
        let authorization = headers[.authorization]
        guard key != nil || authorization != nil else {
            throw .authentication("x-api-key header is required")
        }
        if let key, key != apiKey {
            throw .authentication("invalid x-api-key")
        }
        if let authorization, Self.bearerToken(authorization) != apiKey {
            throw .authentication("Invalid bearer token")
        }
        guard let version = headers[MockHeaderName.anthropicVersion] else {
            throw .invalidRequest("anthropic-version: header is required")
        }
        guard Self.knownVersions.contains(version) else {
            throw .invalidRequest("anthropic-version: \"\(version)\" is not a valid version")
        }
    }

    static func bearerToken(_ authorization: String) -> String? {
        guard authorization.prefix(7).lowercased() == "bearer " else { return nil }
        return String(authorization.dropFirst(7))
    }
}
