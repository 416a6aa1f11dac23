//! 身份证号 (GB 11643-1999) check digit, and masking for every place an ID
//! number could be shown.

use crate::error::Msg;
use crate::msg;

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: [u8; 11] = *b"10X98765432";

/// The check character for the first 17 digits, or `None` if they are not digits.
pub(crate) fn check_char(first17: &[u8]) -> Option<u8> {
    if first17.len() != 17 || !first17.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    Some(CHECK[(sum % 11) as usize])
}

/// Validate an ID number; `Err` says what is wrong and how to fix it (never
/// echoing the full number).
pub fn validate(raw: &str) -> Result<(), Msg> {
    let s = raw.trim();
    let masked = mask(s);
    let upper = s.to_ascii_uppercase();
    if upper.contains("E+") || upper.contains("E17") || (s.contains('.') && s.len() < 18) {
        return Err(msg!(
            "身份证号 {masked} 像是被 Excel 改写成科学计数法的数字；请把身份证号列设为文本格式，再重新输入号码",
            "ID number {masked} looks like a number Excel rewrote in scientific notation; \
             format the 身份证号 column as text and re-enter the numbers"
        ));
    }
    let n = upper.chars().count();
    if n != 18 {
        return Err(msg!(
            "身份证号 {masked} 有 {n} 个字符，应为 18 个",
            "ID number {masked} has {n} characters, a 身份证号 has 18"
        ));
    }
    let b = upper.as_bytes();
    let Some(expect) = check_char(&b[..17]) else {
        return Err(msg!(
            "身份证号 {masked} 应为 17 位数字加一位数字或 X",
            "ID number {masked} must be 17 digits followed by a digit or X"
        ));
    };
    if b[17] != expect {
        if s.ends_with("000") {
            return Err(msg!(
                "身份证号 {masked} 校验位不对且以 000 结尾：Excel 大概把它存成了数字并丢了末几位；请把身份证号列设为文本格式，再重新输入号码",
                "ID number {masked} fails the check digit and ends in 000: Excel probably \
                 stored it as a number and lost the last digits; format the 身份证号 column \
                 as text and re-enter the numbers"
            ));
        }
        return Err(msg!(
            "身份证号 {masked} 未通过 GB 11643 校验位；请核对是否输错",
            "ID number {masked} fails the GB 11643 check digit; check it was typed correctly"
        ));
    }
    Ok(())
}

/// Mask an ID number for display: first 6 and last 4 characters kept
/// (`150102********1236`); short values are masked entirely.
pub fn mask(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() < 12 {
        return "*".repeat(chars.len().max(4));
    }
    let n = chars.len();
    let mut out: String = chars[..6].iter().collect();
    out.push_str(&"*".repeat(n - 10));
    out.extend(&chars[n - 4..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_is_counted_in_characters_not_bytes() {
        // 17 characters, one of them full-width (3 bytes in UTF-8).
        let e = validate("11010519491231００2").unwrap_err();
        assert!(e.en.contains("has 17 characters"), "{e:?}");
        assert!(e.zh.contains("有 17 个字符"), "{e:?}");
    }

    #[test]
    fn known_check_digits() {
        // The standard's worked example.
        assert_eq!(check_char(b"11010519491231002"), Some(b'X'));
        assert!(validate("11010519491231002X").is_ok());
        assert!(validate("11010519491231002x").is_ok());
        assert!(validate("110105194912310021").is_err());
        assert_eq!(check_char(b"15010219900101123"), Some(b'0'));
    }

    #[test]
    fn excel_damage_is_named() {
        let e = validate("1.50102E+17").unwrap_err();
        assert!(e.en.contains("format the 身份证号 column as text"), "{e:?}");
        assert!(e.zh.contains("科学计数法"), "{e:?}");
        let e = validate("150102199001011000").unwrap_err();
        assert!(e.en.contains("Excel") && e.zh.contains("Excel"), "{e:?}");
    }

    #[test]
    fn masking_hides_the_middle() {
        assert_eq!(mask("150102199001011236"), "150102********1236");
        let e = validate("150102199001011235").unwrap_err();
        assert!(!e.en.contains("19900101") && !e.zh.contains("19900101"));
    }
}
