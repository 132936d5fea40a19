/**
 * A small but real MCS policy for simulator tests, written like refpolicy's sVirt pieces
 * (docs/selinux-semantics.md): svirt_t in mcs_constrained_type with the template's
 * file rules on svirt_image_t, host types the guest may not touch (shadow_t, user_home_t),
 * unconfined_t outside the attribute, a virt_* boolean, and refpolicy's MCS constraints for
 * files, block devices and processes. 1024 categories, so the real MCS allocator pool fits.
 */
export function simPolicyText(): string {
  const cats = Array.from({ length: 1024 }, (_, i) => `category c${i};`).join('\n');
  return `
class file
class blk_file
class process
class dir

sid kernel
sid security
sid unlabeled
sid file

common file { ioctl read write create getattr setattr lock relabelfrom relabelto append map unlink link rename execute open }
class file inherits file { execute_no_trans entrypoint }
class blk_file inherits file
class process { fork transition sigchld sigkill sigstop signull signal ptrace getsched getattr }
class dir inherits file { add_name remove_name search rmdir }

sensitivity s0;
dominance { s0 }
${cats}
level s0:c0.c1023;

mlsconstrain { file blk_file dir } { open read ioctl lock write setattr append create unlink link rename relabelfrom relabelto } ((h1 dom h2) or (t1 != mcs_constrained_type));
mlsconstrain file { execute execute_no_trans } ((h1 dom h2) or (t1 != mcs_constrained_type));
mlsconstrain process { transition ptrace sigkill sigstop signal getsched getattr } ((h1 dom h2) or (t1 != mcs_constrained_type));

attribute domain;
attribute file_type;
attribute mcs_constrained_type;
attribute virt_image_type;

bool virt_use_execmem false;

type kernel_t, domain;
type unconfined_t, domain;
type svirt_t, domain, mcs_constrained_type;
type svirt_image_t, file_type, virt_image_type;
type virt_content_t, file_type;
type shadow_t, file_type;
type etc_t, file_type;
type user_home_t, file_type;
type unlabeled_t, file_type;

role system_r;
role system_r types { kernel_t unconfined_t svirt_t };

allow domain self:process { fork sigchld signull signal getsched getattr };
allow unconfined_t file_type:{ file blk_file dir } *;
allow unconfined_t domain:process *;
allow svirt_t svirt_image_t:file { create open getattr setattr read write append rename link unlink ioctl lock };
allow svirt_t svirt_image_t:blk_file { getattr open read write append ioctl lock };
allow svirt_t virt_content_t:file { open getattr read };
allow svirt_t etc_t:file getattr;
dontaudit svirt_t shadow_t:file { read open };
auditallow svirt_t svirt_image_t:blk_file ioctl;
if (virt_use_execmem) {
  allow svirt_t svirt_image_t:file execute;
}

user system_u roles { system_r } level s0 range s0 - s0:c0.c1023;
user unconfined_u roles { system_r } level s0 range s0 - s0:c0.c1023;

sid kernel system_u:system_r:kernel_t:s0 - s0:c0.c1023
sid security system_u:object_r:unlabeled_t:s0
sid unlabeled system_u:object_r:unlabeled_t:s0
sid file system_u:object_r:unlabeled_t:s0
`;
}
