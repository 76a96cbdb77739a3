/** Where the nginx site listens, and the two servers behind it (host:port each). */
export interface SiteAddresses {
  listen: string;
  storegate: string;
  shop: string;
}

/** The values the README's copy of the site shows. */
export const README_ADDRESSES: SiteAddresses = { listen: '80', storegate: '127.0.0.1:4000', shop: '127.0.0.1:8080' };

/**
 * The nginx site of the README ("Putting services behind storegate"), word for word: `auth_request`
 * to storegate's /auth/verify in front of a shop service, /admin/ for admins only. The nginx test
 * runs exactly this, with its own addresses, and a unit test holds the README to it.
 */
export function storegateSite({ listen, storegate, shop }: SiteAddresses): string {
  return `upstream storegate {
    server ${storegate};
    keepalive 16;
}

upstream shop {
    server ${shop};
}

server {
    listen ${listen};

    # Every request is first asked of storegate: 200 lets it through, 401 and 403 refuse it.
    auth_request /_storegate/verify;
    auth_request_set $storegate_user_id $upstream_http_x_auth_user_id;
    auth_request_set $storegate_username $upstream_http_x_auth_username;
    auth_request_set $storegate_role $upstream_http_x_auth_role;
    auth_request_set $storegate_session_id $upstream_http_x_auth_session_id;
    auth_request_set $storegate_identity $upstream_http_x_auth_identity;
    auth_request_set $storegate_status $upstream_status;
    auth_request_set $storegate_retry_after $upstream_http_retry_after;

    # Set here, so a client's own X-Auth-* never reach the service (an empty value sends none).
    proxy_set_header X-Auth-User-Id $storegate_user_id;
    proxy_set_header X-Auth-Username $storegate_username;
    proxy_set_header X-Auth-Role $storegate_role;
    proxy_set_header X-Auth-Session-Id $storegate_session_id;
    proxy_set_header X-Auth-Identity $storegate_identity;
    proxy_set_header Host $host;
    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;

    # auth_request makes any other answer of storegate a 500: pass a throttle on, else fail closed.
    error_page 500 = @storegate_failed;

    location / {
        proxy_pass http://shop;
    }

    location /admin/ {
        auth_request /_storegate/verify-admin;
        proxy_pass http://shop;
    }

    location /_storegate/ {
        internal;
        auth_request off;
        proxy_pass_request_body off;
        proxy_set_header Content-Length "";
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_http_version 1.1;
        proxy_set_header Connection "";

        location = /_storegate/verify {
            internal;
            proxy_pass http://storegate/auth/verify;
        }

        location = /_storegate/verify-admin {
            internal;
            proxy_pass http://storegate/auth/verify?role=admin;
        }
    }

    location @storegate_failed {
        default_type application/json;
        add_header Cache-Control no-store always;
        add_header Retry-After $storegate_retry_after always;
        if ($storegate_status ~ "429$") {
            return 429 '{"message":"Too Many Attempts."}\\n';
        }
        return 503 '{"message":"Service Unavailable."}\\n';
    }
}
`;
}
