//! moto's request recorder: what drconsole actually sent, where moto's state cannot tell
//! (moto ignores `BackupType`, hard-codes the replication filter, answers every poll the same).

use super::{MotoEnv, call, expect_ok};

/// One request moto received.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub url: String,
    /// `X-Amz-Target`, e.g. "DynamoDB_20120810.ListBackups", for JSON protocols.
    pub target: Option<String>,
    /// The region named in the SigV4 credential scope.
    pub region: Option<String>,
    /// The signing service, e.g. "dynamodb", "s3", "monitoring", "route53".
    pub service: Option<String>,
    /// Every header as sent, names as moto recorded them.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Recorded {
    /// The operation's name where the request says it: the JSON target's last part, or the
    /// query protocol's `Action=`. S3 and Route53 (REST) name it only by method and path.
    pub fn operation(&self) -> String {
        if let Some(target) = &self.target {
            return target.rsplit('.').next().unwrap_or(target).to_owned();
        }
        for part in self.body.split('&').chain(self.url.split(['?', '&'])) {
            if let Some(action) = part.strip_prefix("Action=") {
                return action.to_owned();
            }
        }
        format!("{} {}", self.method, self.path())
    }

    /// A header's value, whatever the case of its name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The URL without scheme and host.
    pub fn path(&self) -> &str {
        let rest = self.url.split_once("://").map_or(&*self.url, |(_, r)| r);
        rest.find('/').map_or("/", |i| &rest[i..])
    }
}

impl MotoEnv {
    /// Clears what was recorded and starts recording every request.
    pub fn start_recording(&self) {
        for path in [
            "/moto-api/recorder/reset-recording",
            "/moto-api/recorder/start-recording",
        ] {
            expect_ok(path, call(self.post(path)));
        }
    }

    /// Stops recording and returns every request received since `start_recording`.
    pub fn stop_recording(&self) -> Vec<Recorded> {
        let stop = "/moto-api/recorder/stop-recording";
        expect_ok(stop, call(self.post(stop)));
        let download = "/moto-api/recorder/download-recording";
        let resp = expect_ok(download, call(self.get(download)));
        // Every record is one JSON object on a line of its own.
        resp.body
            .lines()
            .filter(|line| line.starts_with('{'))
            .map(|line| parse(line).unwrap_or_else(|e| panic!("{e}: {line:.300}")))
            .collect()
    }
}

fn parse(line: &str) -> Result<Recorded, String> {
    let v: serde_json::Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
    let header = |name: &str| {
        v["headers"].as_object().and_then(|h| {
            h.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .and_then(|(_, v)| v.as_str())
                .map(str::to_owned)
        })
    };
    let raw = v["body"].as_str().unwrap_or_default();
    let body = if v["body_encoded"].as_bool() == Some(true) {
        let bytes = aws_smithy_types::base64::decode(raw).map_err(|e| e.to_string())?;
        String::from_utf8_lossy(&bytes).into_owned()
    } else {
        raw.to_owned()
    };
    // Credential=KEY/DATE/REGION/SERVICE/aws4_request
    let scope: Vec<String> = header("Authorization")
        .and_then(|a| {
            a.split("Credential=")
                .nth(1)
                .map(|c| c.split([',', ' ']).next().unwrap_or("").to_owned())
        })
        .map(|c| c.split('/').map(str::to_owned).collect())
        .unwrap_or_default();
    Ok(Recorded {
        method: v["method"].as_str().unwrap_or_default().to_owned(),
        url: v["url"].as_str().unwrap_or_default().to_owned(),
        target: header("X-Amz-Target"),
        region: scope.get(2).cloned(),
        service: scope.get(3).cloned(),
        headers: v["headers"]
            .as_object()
            .map(|h| {
                h.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                    .collect()
            })
            .unwrap_or_default(),
        body,
    })
}
