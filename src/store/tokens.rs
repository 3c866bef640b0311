//! Tokens: stored as the hash of their secret, looked up on every request
//! that carries one.

use super::*;

impl Store {
    /// Stores a token (only the hash of its secret).
    pub async fn insert_token(&self, token: &StoredToken) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO tokens (id, hash, role, scope, label, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&token.id)
        .bind(&token.hash)
        .bind(token.role.name())
        .bind(token.role.scope())
        .bind(&token.label)
        .bind(token.created_at)
        .execute(&self.pool)
        .await
        .map_err(classify)?;
        Ok(())
    }

    /// Every token, revoked ones included, by creation.
    pub async fn tokens(&self) -> Result<Vec<StoredToken>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, hash, role, scope, label, created_at, revoked_at FROM tokens
             ORDER BY created_at, id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(token_from_row).collect()
    }

    /// The token whose secret hashes to `hash`.
    pub async fn token_by_hash(&self, hash: &str) -> Result<Option<StoredToken>, StoreError> {
        let row = sqlx::query(
            "SELECT id, hash, role, scope, label, created_at, revoked_at FROM tokens
             WHERE hash = $1",
        )
        .bind(hash)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(token_from_row).transpose()
    }

    /// Revokes a token; `NotFound` when no such id.
    pub async fn revoke_token(&self, id: &str) -> Result<(), StoreError> {
        let done =
            sqlx::query("UPDATE tokens SET revoked_at = coalesce(revoked_at, $1) WHERE id = $2")
                .bind(time::now())
                .bind(id)
                .execute(&self.pool)
                .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}
