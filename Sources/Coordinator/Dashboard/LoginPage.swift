import Hummingbird

/// The sign-in form: an admin token, posted once, traded for a session cookie.
enum LoginPage {
    static func response(error: String?) -> Response {
        let message: HTML = error.map { "<p class=\"error\">\($0)</p>" } ?? ""
        return DashboardPage.response(
            title: "Sign in", signedIn: nil, status: error == nil ? .ok : .unauthorized,
            """
            <h1>Sign in</h1>
            <form class="login" method="post" action="/dashboard/login">\(message)
            <label for="token">Admin token (from <code>goosey tokens create</code>)</label>
            <input type="password" id="token" name="token" autocomplete="off" required autofocus>
            <button type="submit">Sign in</button></form>
            """
        )
    }
}
