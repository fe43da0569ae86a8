import HTTPTypes
import Hummingbird
import Shared

/// The sign-in form: an admin token, posted once, traded for a session cookie. The form carries a random
/// value that must match a cookie set with it (SameSite=Strict), so another site cannot post a sign-in
/// of its own choosing into a staff member's browser.
enum LoginPage {
    static let cookieName = "goosey_login"

    static func response(error: String?) -> Response {
        let nonce = Base62.random(count: 32)
        let message: HTML = error.map { "<p class=\"error\">\($0)</p>" } ?? ""
        var response = DashboardPage.response(
            title: "Sign in", signedIn: nil, status: error == nil ? .ok : .unauthorized,
            """
            <h1>Sign in</h1>
            <form class="login" method="post" action="/dashboard/login">\(message)
            <input type="hidden" name="nonce" value="\(nonce)">
            <label for="token">Admin token (from <code>goosey tokens create</code>)</label>
            <input type="password" id="token" name="token" autocomplete="off" required autofocus>
            <button type="submit">Sign in</button></form>
            """
        )
        response.headers[.setCookie] = "\(Self.cookieName)=\(nonce); Path=/dashboard; Max-Age=3600; HttpOnly; SameSite=Strict"
        return response
    }

    /// Whether a posted sign-in came from the form this dashboard served to the same browser.
    static func isFromOurForm(_ form: FormFields, headers: HTTPFields) -> Bool {
        guard let nonce = form["nonce"], !nonce.isEmpty, let cookie = DashboardSession.cookie(Self.cookieName, in: headers) else { return false }
        return AdminToken.sha256Hex(nonce) == AdminToken.sha256Hex(cookie)
    }
}
