"""The one way a view widens the Content-Security-Policy for itself.

Every response gets the strict policy of `settings.CONTENT_SECURITY_POLICY` (django-csp's
middleware): scripts, styles, images, fonts and requests from this site only, no inline script
or style, no eval. A page that needs more says so with a decorator, next to its code, and only
that page's header changes:

    from consortia.core.csp import allow_webassembly

    @login_required
    @allow_webassembly
    def overlap_page(request, slug): ...

`csp_update` adds sources to directives (use it for anything not below); `csp_replace`
replaces a directive; `csp_exempt` is never needed here. A response that already carries a
Content-Security-Policy header (file downloads: `default-src 'none'; sandbox`) keeps it.
"""

from csp.constants import SELF, WASM_UNSAFE_EVAL
from csp.decorators import csp_replace, csp_update

__all__ = ["allow_webassembly", "csp_replace", "csp_update"]

# Compiling WebAssembly (e.g. the ristretto255 arithmetic of private set intersection, run in
# the browser) needs 'wasm-unsafe-eval' — which allows WebAssembly only, not JavaScript eval —
# and a Web Worker loaded from this site.
allow_webassembly = csp_update({"script-src": [WASM_UNSAFE_EVAL], "worker-src": [SELF]})
