import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `GET /openapi.json`: the admin API described as OpenAPI 3.1.
enum OpenAPIDocument {
    static func response() throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: Self.json)))
    }

    static let json = """
        {
          "openapi": "3.1.0",
          "info": {"title": "Goosey admin API", "version": "1",
            "description": "Course staff see and change their courses; university admins all. Every change takes a `reason` and becomes an audit event. Errors: {\\"error\\": {\\"type\\", \\"message\\", \\"field\\"}}."},
          "components": {
            "securitySchemes": {"adminToken": {"type": "http", "scheme": "bearer", "description": "gooseyadmin_… (goosey admin-token create)"}},
            "schemas": {
              "Error": {"type": "object", "properties": {"error": {"type": "object", "properties": {"type": {"type": "string"}, "message": {"type": "string"}, "field": {"type": "string"}}}}},
              "Course": {"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"}, "timeZone": {"type": "string"}}},
              "Reason": {"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string"}}},
              "Policy": {"type": "object", "description": "A quota policy: limit (milli-tokens or pico-USD), unit, period, carryOver, overspend, failMode, emergencyCapPerEdge, reserve, leaks.", "required": ["limit", "unit", "period"]},
              "Incident": {"type": "object", "properties": {"id": {"type": "integer"}, "course": {"type": "string"}, "student": {"type": "string"}, "keyID": {"type": "string"}, "kind": {"type": "string"}, "family": {"type": "string"}, "fingerprint": {"type": "string"}, "location": {"type": "string"}, "action": {"type": "string"}, "requestID": {"type": "string"}, "detectedAt": {"type": "string"}, "suspendedKeyIDs": {"type": "array", "items": {"type": "string"}}}},
              "AuditEvent": {"type": "object", "properties": {"id": {"type": "integer"}, "at": {"type": "string"}, "actor": {"type": "string"}, "action": {"type": "string"}, "target": {"type": "string"}, "reason": {"type": "string"}}}
            }
          },
          "security": [{"adminToken": []}],
          "paths": {
            "/admin/v1/courses": {"get": {"summary": "The courses this token may see", "responses": {"200": {"description": "{courses: [Course]}"}}}},
            "/admin/v1/tokens": {"post": {"summary": "Create an admin token (university admins); the token is in this answer only",
              "requestBody": {"content": {"application/json": {"schema": {"type": "object", "required": ["name", "role"], "properties": {"name": {"type": "string"}, "role": {"enum": ["staff", "admin"]}, "courses": {"type": "array", "items": {"type": "string"}}}}}}},
              "responses": {"201": {"description": "{token, name, role}"}, "403": {"description": "Error"}}},
              "get": {"summary": "Every admin token, without the token itself (university admins)", "responses": {"200": {"description": "{tokens: [{id, name, role, courses, createdAt, revokedAt}]}"}, "403": {"description": "Error"}}}},
            "/admin/v1/tokens/{id}/revoke": {"post": {"summary": "Revoke an admin token for good, and its dashboard sessions (university admins)",
              "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Reason"}}}},
              "responses": {"200": {"description": "{id, revoked}"}, "404": {"description": "Error"}, "409": {"description": "Already revoked"}}}},
            "/admin/v1/courses/{course}/students/{student}": {"get": {"summary": "One student: details, keys, this period's balance, recent Claude Code sessions",
              "responses": {"200": {"description": "{student, balance: {total, used, remaining, resets}, sessions: [{id, requests, inputTokens, outputTokens, lastAt}]}"}, "404": {"description": "Error"}}}},
            "/admin/v1/courses/{course}": {"put": {"summary": "Create or change a course (university admins)",
              "requestBody": {"content": {"application/json": {"schema": {"type": "object", "required": ["reason"], "properties": {"name": {"type": "string"}, "timeZone": {"type": "string"}, "reason": {"type": "string"}}}}}},
              "responses": {"200": {"description": "Course"}, "400": {"description": "Error"}, "403": {"description": "Error"}}}},
            "/admin/v1/courses/{course}/policy": {
              "get": {"summary": "The course policy and per-student overrides", "responses": {"200": {"description": "{policy, overrides}"}, "404": {"description": "Error"}}},
              "put": {"summary": "Set the course policy, or one student's override", "requestBody": {"content": {"application/json": {"schema": {"type": "object", "required": ["policy", "reason"], "properties": {"policy": {"$ref": "#/components/schemas/Policy"}, "student": {"type": "string"}, "reason": {"type": "string"}}}}}},
                "responses": {"200": {"description": "{policy}"}, "400": {"description": "Error naming the field"}}}},
            "/admin/v1/courses/{course}/students/{student}/keys": {"post": {"summary": "Issue a key (shown once in the answer)", "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Reason"}}}},
              "responses": {"201": {"description": "{key, keyID, course, student}"}}}},
            "/admin/v1/courses/{course}/students/{student}/grants": {"post": {"summary": "Extra allowance for the current period (a deadline rescue)",
              "requestBody": {"content": {"application/json": {"schema": {"type": "object", "required": ["amount", "reason"], "properties": {"amount": {"type": "string", "examples": ["200k", "5usd"]}, "reason": {"type": "string"}}}}}},
              "responses": {"201": {"description": "{student, amount, periodIndex, total, remaining}"}, "400": {"description": "Error naming the field"}, "404": {"description": "Error"}}}},
            "/admin/v1/courses/{course}/usage": {"get": {"summary": "Usage per student: requests, refusals, tokens by class, charged, USD",
              "parameters": [{"name": "student", "in": "query", "schema": {"type": "string"}}, {"name": "group", "in": "query", "schema": {"type": "string"}},
                {"name": "since", "in": "query", "schema": {"type": "string", "format": "date"}}, {"name": "until", "in": "query", "schema": {"type": "string", "format": "date"}},
                {"name": "period", "in": "query", "schema": {"enum": ["current", "previous"]}, "description": "the course policy's period, instead of dates"},
                {"name": "by", "in": "query", "schema": {"enum": ["student", "day", "model"]}}],
              "responses": {"200": {"description": "{usage: [{key, group, requests, refusals (429s), firstRefusalAt, inputTokens, cacheWrite5mTokens, cacheWrite1hTokens, cacheReadTokens, outputTokens, charged, usd}]}"}}}},
            "/admin/v1/courses/{course}/enrolments": {"post": {"summary": "Make the course's enrolment match a roster, whole or not at all (new students get keys, dropped students' keys are revoked)",
              "requestBody": {"content": {"application/json": {"schema": {"type": "object", "required": ["students"], "properties": {"students": {"type": "array", "items": {"type": "object", "required": ["id", "name", "email", "researchConsent"], "properties": {"id": {"type": "string"}, "name": {"type": "string"}, "email": {"type": "string"}, "group": {"type": "string"}, "researchConsent": {"type": "boolean"}}}}, "dryRun": {"type": "boolean"}, "reason": {"type": "string"}}}}}},
              "responses": {"200": {"description": "{plan: {new, dropped, moved, updated}, applied, keys: [{key, keyID, course, student}]} (keys shown once)"}, "400": {"description": "Error naming the row's field"}}}},
            "/admin/v1/courses/{course}/export": {"get": {"summary": "Research export: the consenting students' requests as JSON lines, students and sessions pseudonymised per course, bodies as stored (secrets redacted)",
              "parameters": [{"name": "since", "in": "query", "schema": {"type": "string", "format": "date"}}, {"name": "until", "in": "query", "schema": {"type": "string", "format": "date"}}],
              "responses": {"200": {"description": "application/x-ndjson; header x-goosey-records: the number of lines"}}}},
            "/admin/v1/courses/{course}/groups": {"get": {"summary": "Groups and their enrolled students' count", "responses": {"200": {"description": "{groups: [{name, students}]}"}}}},
            "/admin/v1/courses/{course}/students": {"get": {"summary": "Students with group, research consent and keys (key ID and state)",
              "responses": {"200": {"description": "{students: [{id, name, email, group, researchConsent, keys: [{keyID, state}]}]}"}}}},
            "/admin/v1/courses/{course}/keys/{keyID}/{action}": {"post": {"summary": "suspend, reinstate, revoke or rotate a key (rotate answers with the new key, shown once)", "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Reason"}}}},
              "responses": {"200": {"description": "{keyID, course, student, state}, or for rotate {key, keyID, course, student}"}, "404": {"description": "Error"}, "409": {"description": "Error: the key is revoked"}}}},
            "/admin/v1/courses/{course}/incidents": {"get": {"summary": "Leak incidents (open ones; ?all=true for all)", "responses": {"200": {"description": "{incidents: [Incident]}"}}}},
            "/admin/v1/courses/{course}/incidents/{id}/resolve": {"post": {"summary": "Resolve an incident; keep, reinstate or rotate the keys it suspended",
              "requestBody": {"content": {"application/json": {"schema": {"type": "object", "required": ["note"], "properties": {"note": {"type": "string"}, "keys": {"enum": ["keep", "reinstate", "rotate"]}}}}}},
              "responses": {"200": {"description": "{id, keys, newKeys: [{student, keyID, key}]} (new keys shown this once)"}, "404": {"description": "Error"}, "409": {"description": "Error: already resolved"}}}},
            "/admin/v1/courses/{course}/audit": {"get": {"summary": "Audit events, newest first (?limit=, ?since=YYYY-MM-DD)", "responses": {"200": {"description": "{events: [AuditEvent]}"}}}}
          }
        }
        """
}
