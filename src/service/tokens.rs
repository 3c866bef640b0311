//! Bearer tokens: authenticating a secret, creating, listing and revoking.

use super::*;

impl Service {
    /// Checks a bearer token's secret: the caller it stands for, or `None`
    /// when it is unknown or revoked. Read from the store every time, so a
    /// token revoked anywhere (HTTP or the command line, on any process)
    /// stops working at once; it is one indexed lookup.
    pub async fn authenticate(&self, secret: &str) -> Result<Option<Principal>, ServiceError> {
        let token = self.store.token_by_hash(&auth::hash_secret(secret)).await?;
        Ok(token.filter(|t| t.revoked_at.is_none()).map(|t| Principal {
            token_id: t.id,
            role: t.role,
        }))
    }

    /// Creates a token and returns it with its secret, which is not kept.
    /// Only the command line and admins may.
    pub async fn create_token(
        &self,
        who: Actor<'_>,
        role: Role,
        label: Option<String>,
    ) -> Result<(StoredToken, String), ServiceError> {
        administer(who)?;
        let new = auth::new_token();
        let token = StoredToken {
            id: new.id,
            hash: auth::hash_secret(&new.secret),
            role,
            label,
            created_at: crate::domain::time::now(),
            revoked_at: None,
        };
        self.store.insert_token(&token).await?;
        Ok((token, new.secret))
    }

    /// Every token (never a secret).
    pub async fn tokens(&self, who: Actor<'_>) -> Result<Vec<StoredToken>, ServiceError> {
        administer(who)?;
        Ok(self.store.tokens().await?)
    }

    /// Revokes a token; it stops working at once.
    pub async fn revoke_token(&self, who: Actor<'_>, id: &str) -> Result<(), ServiceError> {
        administer(who)?;
        self.store.revoke_token(id).await.map_err(|e| match e {
            StoreError::NotFound => ServiceError::NotFound(format!("no token with id {id:?}")),
            other => other.into(),
        })?;
        Ok(())
    }
}
