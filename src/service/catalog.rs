//! Territories, communes and councils.

use super::*;

/// A council as the writable Feature a merge patch applies to.
fn council_feature_value(c: &Council) -> Value {
    let geometry = c
        .location
        .map(|p| serde_json::json!({"type": "Point", "coordinates": [p.x(), p.y()]}))
        .unwrap_or(Value::Null);
    serde_json::json!({
        "type": "Feature",
        "geometry": geometry,
        "properties": {
            "code": c.code.as_str(),
            "name": c.name,
            "parish": c.parish.to_string(),
            "commune": c.commune.as_ref().map(|m| m.to_string()),
            "spokespeople": c.spokespeople,
        },
    })
}

impl Service {
    /// Adds a state, municipality or parish; its parent must exist.
    pub async fn create_territory(
        &self,
        who: Actor<'_>,
        territory: Territory,
    ) -> Result<(), ServiceError> {
        administer(who)?;
        let _gate = self.gate().await?;
        {
            let index = self.index.read();
            if let Some(parent) = territory.code.parent()
                && index.catalog.territory(parent).is_none()
            {
                return Err(FieldError::new(
                    "/properties/code",
                    format!("its {} {parent} does not exist", parent.level().as_str()),
                )
                .into());
            }
            if index.catalog.territory(territory.code).is_some() {
                return Err(ServiceError::Conflict(format!(
                    "{} {} exists already",
                    territory.code.level().as_str(),
                    territory.code
                )));
            }
        }
        self.store.insert_territory(&territory).await?;
        self.index.write().catalog.insert_territory(territory);
        Ok(())
    }

    /// Adds a commune (admins).
    pub async fn create_commune(
        &self,
        who: Actor<'_>,
        commune: Commune,
    ) -> Result<(), ServiceError> {
        administer(who)?;
        let _gate = self.gate().await?;
        if self.index.read().catalog.commune(&commune.code).is_some() {
            return Err(ServiceError::Conflict(format!(
                "commune {} exists already",
                commune.code
            )));
        }
        let commune = Commune {
            created_at: Some(crate::domain::time::now()),
            ..commune
        };
        self.store.insert_commune(&commune).await?;
        self.index.write().catalog.insert_commune(commune);
        Ok(())
    }

    /// Changes a council (admins) with a JSON merge patch of its Feature:
    /// name, location, commune, spokespeople; its code and parish stay.
    pub async fn update_council(
        &self,
        who: Actor<'_>,
        code: &CouncilCode,
        patch: &Value,
    ) -> Result<Council, ServiceError> {
        administer(who)?;
        if !patch.is_object() {
            return Err(ServiceError::WrongShape {
                pointer: String::new(),
                detail: "a merge patch must be a JSON object".into(),
            });
        }
        let _gate = self.gate().await?;
        let current = self
            .index
            .read()
            .catalog
            .council(code)
            .cloned()
            .ok_or_else(|| ServiceError::NotFound(format!("no council with code {code}")))?;
        let mut feature = council_feature_value(&current);
        merge_patch(&mut feature, patch);
        let updated = Council {
            created_at: current.created_at,
            ..Council::from_feature(&feature)?
        };
        if updated.code != current.code {
            return Err(
                FieldError::new("/properties/code", "a council's code cannot change").into(),
            );
        }
        if updated.parish != current.parish {
            return Err(FieldError::new(
                "/properties/parish",
                "a council's parish cannot change; its priorities are placed by it",
            )
            .into());
        }
        if let Some(c) = &updated.commune
            && self.index.read().catalog.commune(c).is_none()
        {
            return Err(FieldError::new(
                "/properties/commune",
                format!("commune {c} does not exist"),
            )
            .into());
        }
        self.store.update_council(&updated).await?;
        self.index.write().catalog.insert_council(updated.clone());
        Ok(updated)
    }

    /// Adds a council; its parish must exist. Returns it as stored (with
    /// its registration time).
    pub async fn create_council(
        &self,
        who: Actor<'_>,
        council: Council,
    ) -> Result<Council, ServiceError> {
        administer(who)?;
        let _gate = self.gate().await?;
        {
            let index = self.index.read();
            if index.catalog.territory(council.parish).is_none() {
                return Err(FieldError::new(
                    "/properties/parish",
                    format!("parish {} does not exist", council.parish),
                )
                .into());
            }
            if index.catalog.council(&council.code).is_some() {
                return Err(ServiceError::Conflict(format!(
                    "council {} exists already",
                    council.code
                )));
            }
            if let Some(c) = &council.commune
                && index.catalog.commune(c).is_none()
            {
                return Err(FieldError::new(
                    "/properties/commune",
                    format!("commune {c} does not exist"),
                )
                .into());
            }
        }
        let council = Council {
            created_at: Some(crate::domain::time::now()),
            ..council
        };
        self.store.insert_council(&council).await?;
        self.index.write().catalog.insert_council(council.clone());
        Ok(council)
    }
}
