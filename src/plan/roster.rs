//! Fitting the plannable models of a plan: each alone, or together as a
//! concurrent roster whose choices are then fitted alone for the per-model fields.

use super::RosterTotals;
use crate::fit::{
    Budget, FitPolicy, ModelFit, ModelRequest, RosterFit, ServerSetting, fit_model, fit_roster,
};
use crate::tier::Tier;

/// The fit of each request, alone or as a concurrent roster.
pub(super) struct Fitted {
    pub fits: Vec<ModelFit>,
    pub shares: Vec<Option<f64>>,
    pub roster: Option<RosterTotals>,
    pub server_settings: Vec<ServerSetting>,
}

pub(super) fn fit_all(
    requests: &[ModelRequest],
    budget: &Budget,
    tier: Tier,
    policy: &FitPolicy,
    concurrent: bool,
) -> Fitted {
    if concurrent {
        let roster = fit_roster(requests, budget, tier, policy, true);
        let fits = pin_roster_choices(requests, &roster, budget, tier, policy);
        let totals = RosterTotals {
            fits: roster.fits,
            memory_bytes: roster.memory_bytes,
            budget_bytes: roster.budget_bytes,
            total_bytes: roster.total_bytes,
            buffer_bytes: roster.buffer_bytes,
            reason: roster.reason.clone(),
        };
        return Fitted {
            fits,
            shares: roster.models.iter().map(|m| Some(m.share)).collect(),
            roster: Some(totals),
            server_settings: roster.server,
        };
    }
    let fits: Vec<ModelFit> = requests
        .iter()
        .map(|r| fit_model(r, budget, tier, policy))
        .collect();
    let num_ctx = fits.iter().filter(|f| f.fits).map(|f| f.num_ctx).max();
    let settings = crate::fit::server_settings(
        requests.len(),
        policy,
        false,
        num_ctx.unwrap_or(policy.num_ctx),
    );
    Fitted {
        shares: vec![None; fits.len()],
        fits,
        roster: None,
        server_settings: settings,
    }
}

/// A concurrent roster chose each quantization; fit each model alone at that
/// quantization to get the same per-model fields as a lone fit, with the
/// roster's reasoning.
fn pin_roster_choices(
    requests: &[ModelRequest],
    roster: &RosterFit,
    budget: &Budget,
    tier: Tier,
    policy: &FitPolicy,
) -> Vec<ModelFit> {
    requests
        .iter()
        .zip(&roster.models)
        .map(|(request, share)| {
            let mut pinned = *request;
            if let Some(quant) = share.quantization {
                pinned.resolved = pinned.resolved.pinned(quant);
            }
            let mut fit = fit_model(&pinned, budget, tier, policy);
            fit.fits = roster.fits && share.quantization.is_some();
            fit.reason = share.reason.clone();
            fit
        })
        .collect()
}
