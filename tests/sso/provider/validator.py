"""The provider's claims: each account's come from a JSON file the tests may rewrite between sign-ins."""

import json
import os
from pathlib import Path
from typing import Any

from oauth2_provider.oauth2_validators import OAuth2Validator


class Validator(OAuth2Validator):
    # The portal's role claim travels with the profile scope (as a Keycloak or Okta mapper would).
    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "pmm_role": "profile"}

    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        claims = json.loads(Path(os.environ["PROVIDER_CLAIMS"]).read_text())
        return dict(claims.get(request.user.username, {}))
